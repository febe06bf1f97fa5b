package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.access.MintedCredential;
import dev.trellis.controlplane.database.TenantTransactions;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.Optional;

/**
 * Who a {@code Authorization: Bearer trp_…} proxy token belongs to: the token names its proxy, whose
 * row holds the token's hash and the end of its current certificate's life. Verified against the
 * database unless this replica did so in the last few seconds ({@link RecentProxyTokens}), or, for a
 * request whose own write checks the proxy's row again ({@code rechecked}), in the last minutes.
 * Public for the fleet endpoint another feature serves outside Spring Security
 * ({@code POST /v1/fleet/usage}); {@link ProxyCredentialFilter} is this for every other fleet path.
 */
@Component
public class ProxyAuthentication {
    /** The 401's detail when no proxy token is presented. */
    public static final String REQUIRED = "a valid proxy token is required";
    /** The 401's detail for a token that names no proxy, another's hash, or an expired certificate. */
    public static final String UNKNOWN = "unknown proxy token, or its certificate has expired";

    private final TenantTransactions transactions;
    private final Proxies proxies;
    private final RecentProxyTokens recent;

    ProxyAuthentication(TenantTransactions transactions, Proxies proxies, RecentProxyTokens recent) {
        this.transactions = transactions;
        this.proxies = proxies;
        this.recent = recent;
    }

    /** The bearer token the request presents, or null. */
    public static String token(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : null;
    }

    /**
     * The proxy whose token this is, given its SHA-256 ({@link MintedCredential#hash}, what
     * {@code proxies.secret_hash} stores; the caller hashes once per request), or empty for an unknown
     * token or an expired certificate.
     */
    public Optional<FleetProxy> authenticate(String token, byte[] tokenHash, boolean rechecked) {
        return recent.find(tokenHash, TenantTransactions.now(), rechecked).or(() -> verify(token));
    }

    private Optional<FleetProxy> verify(String token) {
        Optional<Proxies.Authenticated> authenticated = MintedCredential.idOf(Proxies.KIND, token)
                .flatMap(proxyId -> transactions.withSetting("trellis.proxy_id", proxyId,
                        () -> proxies.authenticate(proxyId, token, TenantTransactions.now())));
        authenticated.ifPresent(verified -> recent.remember(token, verified));
        return authenticated.map(Proxies.Authenticated::proxy);
    }
}
