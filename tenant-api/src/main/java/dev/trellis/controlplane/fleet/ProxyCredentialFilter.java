package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.access.MintedCredential;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.web.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * Authenticates {@code Authorization: Bearer trp_…} proxy tokens: the token names its proxy, whose
 * row holds the token's hash and the end of its current certificate's life. Verified against the
 * database unless this replica did so in the last few seconds ({@link RecentProxyTokens}), or, for
 * {@code POST /v1/fleet/usage}, whose insert checks the proxy's row again, in the last minutes. The
 * token's SHA-256 is left in the request ({@link FleetProxy#TOKEN_HASH}) for such a write. Not a
 * bean: a filter bean would also be registered with the servlet container, for every path.
 */
class ProxyCredentialFilter extends OncePerRequestFilter {
    /** The one path whose handler verifies the proxy again in its own write. */
    private static final String USAGE = "/v1/fleet/usage";

    private final TenantTransactions transactions;
    private final Proxies proxies;
    private final RecentProxyTokens recent;

    ProxyCredentialFilter(TenantTransactions transactions, Proxies proxies, RecentProxyTokens recent) {
        this.transactions = transactions;
        this.proxies = proxies;
        this.recent = recent;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String token = token(request);
        if (token != null) {
            Instant now = TenantTransactions.now();
            boolean rechecked = "POST".equals(request.getMethod()) && USAGE.equals(request.getRequestURI());
            // Hashed once: the cache's key and the request's attribute.
            byte[] tokenHash = MintedCredential.hash(token);
            Optional<FleetProxy> proxy = recent.find(tokenHash, now, rechecked).or(() -> verify(token));
            if (proxy.isEmpty()) {
                ProblemResponses.write(response, HttpStatus.UNAUTHORIZED, "Unauthorized",
                        "unknown proxy token, or its certificate has expired");
                return;
            }
            SecurityContextHolder.getContext().setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
                    proxy.get(), null, AuthorityUtils.createAuthorityList("ROLE_" + FleetSecurity.PROXY)));
            request.setAttribute(FleetProxy.TOKEN_HASH, tokenHash);
        }
        chain.doFilter(request, response);
    }

    /** The bearer token the request presents, or null. */
    static String token(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : null;
    }

    private Optional<FleetProxy> verify(String token) {
        Optional<Proxies.Authenticated> authenticated = MintedCredential.idOf(Proxies.KIND, token)
                .flatMap(proxyId -> transactions.withSetting("trellis.proxy_id", proxyId,
                        () -> proxies.authenticate(proxyId, token, TenantTransactions.now())));
        authenticated.ifPresent(verified -> recent.remember(token, verified));
        return authenticated.map(Proxies.Authenticated::proxy);
    }
}
