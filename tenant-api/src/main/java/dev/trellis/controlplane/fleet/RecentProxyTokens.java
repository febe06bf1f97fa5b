package dev.trellis.controlplane.fleet;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Proxy tokens this replica verified against the database in the last few seconds
 * ({@code trellis.fleet.token-cache}, 0 turns it off), so a burst of status reports and polls after
 * a snapshot change does not add one database read each. Keyed by a hash of the token, never the
 * token. A hit still honours the end of the certificate's life; endpoint withdrawal and renewal
 * forget the proxy here, and a proxy deleted on another replica (its mesh deleted) is cut off
 * within the cache's lifetime.
 */
@Component
class RecentProxyTokens {
    private static final int MAX_ENTRIES = 100_000;

    private final long lifetimeNanos;
    private final ConcurrentHashMap<String, Verified> byTokenHash = new ConcurrentHashMap<>();

    private record Verified(FleetProxy proxy, Instant certificateNotAfter, long verifiedAtNanos) {
    }

    RecentProxyTokens(@Value("${trellis.fleet.token-cache:5s}") Duration lifetime) {
        this.lifetimeNanos = lifetime.toNanos();
    }

    boolean enabled() {
        return lifetimeNanos > 0;
    }

    Optional<FleetProxy> find(String token, Instant now) {
        if (lifetimeNanos == 0) return Optional.empty();
        String key = hash(token);
        Verified verified = byTokenHash.get(key);
        if (verified == null) return Optional.empty();
        if (System.nanoTime() - verified.verifiedAtNanos() > lifetimeNanos || !now.isBefore(verified.certificateNotAfter())) {
            byTokenHash.remove(key, verified);
            return Optional.empty();
        }
        return Optional.of(verified.proxy());
    }

    void remember(String token, Proxies.Authenticated authenticated) {
        if (lifetimeNanos == 0) return;
        // Entries leave when looked up stale; a flood of distinct tokens only ever costs this bound.
        if (byTokenHash.size() >= MAX_ENTRIES) byTokenHash.clear();
        byTokenHash.put(hash(token), new Verified(authenticated.proxy(), authenticated.certificateNotAfter(), System.nanoTime()));
    }

    void forget(String proxyId) {
        byTokenHash.values().removeIf(verified -> verified.proxy().id().equals(proxyId));
    }

    private static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
