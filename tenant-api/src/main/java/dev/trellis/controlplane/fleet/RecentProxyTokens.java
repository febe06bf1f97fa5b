package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.access.MintedCredential;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

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
 *
 * <p>Requests whose own write checks the proxy's row again, in the write's transaction
 * ({@code POST /v1/fleet/usage}: token hash, revocation and certificate in the insert itself), may use
 * an entry for much longer ({@code trellis.fleet.usage-token-cache}, default {@code 10m}): the entry only
 * names the proxy's tenant, mesh and service, which never change, and revocation or renewal anywhere is
 * honoured by that write at once. A proxy reporting every 10 s then costs no verification of its own.
 */
@Component
class RecentProxyTokens {
    private static final int MAX_ENTRIES = 100_000;

    private final long lifetimeNanos;
    private final long recheckedLifetimeNanos;
    private final ConcurrentHashMap<String, Verified> byTokenHash = new ConcurrentHashMap<>();

    private record Verified(FleetProxy proxy, Instant certificateNotAfter, long verifiedAtNanos) {
    }

    RecentProxyTokens(@Value("${trellis.fleet.token-cache:5s}") Duration lifetime,
                      @Value("${trellis.fleet.usage-token-cache:10m}") Duration recheckedLifetime) {
        this.lifetimeNanos = lifetime.toNanos();
        this.recheckedLifetimeNanos = lifetime.isZero() ? 0 : Math.max(lifetimeNanos, recheckedLifetime.toNanos());
    }

    boolean enabled() {
        return lifetimeNanos > 0;
    }

    /**
     * The proxy a token's SHA-256 was verified for, if that was recent enough: within the lifetime, or
     * the longer one for a request ({@code rechecked}) whose write verifies the proxy's row again in its
     * own transaction. By the hash, which the request needs anyway.
     */
    Optional<FleetProxy> find(byte[] tokenHash, Instant now, boolean rechecked) {
        long lifetime = rechecked ? recheckedLifetimeNanos : lifetimeNanos;
        if (lifetime == 0) return Optional.empty();
        String key = key(tokenHash);
        Verified verified = byTokenHash.get(key);
        if (verified == null) return Optional.empty();
        long age = System.nanoTime() - verified.verifiedAtNanos();
        if (age > recheckedLifetimeNanos || !now.isBefore(verified.certificateNotAfter())) {
            byTokenHash.remove(key, verified);
            return Optional.empty();
        }
        return age > lifetime ? Optional.empty() : Optional.of(verified.proxy());
    }

    void remember(String token, Proxies.Authenticated authenticated) {
        if (lifetimeNanos == 0) return;
        // Entries leave when looked up stale; a flood of distinct tokens only ever costs this bound.
        if (byTokenHash.size() >= MAX_ENTRIES) byTokenHash.clear();
        byTokenHash.put(key(MintedCredential.hash(token)), new Verified(authenticated.proxy(), authenticated.certificateNotAfter(), System.nanoTime()));
    }

    void forget(String proxyId) {
        byTokenHash.values().removeIf(verified -> verified.proxy().id().equals(proxyId));
    }

    private static String key(byte[] tokenHash) {
        return HexFormat.of().formatHex(tokenHash);
    }
}
