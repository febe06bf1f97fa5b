package dev.trellis.controlplane.access;

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
import java.util.Optional;

/**
 * Authenticates {@code Authorization: Bearer trk_…} API keys (looked up on every request, so a
 * revocation takes effect at once) and the operator key. Other bearer tokens are left to the
 * OIDC resource server.
 */
class CredentialFilter extends OncePerRequestFilter {
    static final String TENANT = "TENANT";
    static final String OPERATOR = "OPERATOR";

    private final ApiKeys keys;
    private final OperatorKey operatorKey;

    CredentialFilter(ApiKeys keys, OperatorKey operatorKey) {
        this.keys = keys;
        this.operatorKey = operatorKey;
    }

    static Optional<String> bearer(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) return Optional.empty();
        return Optional.of(header.substring(7).strip());
    }

    static boolean isApiKey(String token) {
        return token.startsWith(ApiKeys.KIND + "_");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<String> token = bearer(request);
        // A request that names its credential is judged by it alone, never by a session cookie beside it.
        if (token.isPresent()) SecurityContextHolder.setContext(SecurityContextHolder.createEmptyContext());
        if (token.isPresent() && isApiKey(token.get())) {
            Optional<Caller> caller = keys.authenticate(token.get());
            if (caller.isEmpty()) {
                ProblemResponses.write(response, HttpStatus.UNAUTHORIZED, "Unauthorized", "unknown or revoked API key");
                return;
            }
            SecurityContextHolder.getContext().setAuthentication(caller.get().authentication());
        } else if (token.isPresent() && operatorKey.matches(token.get())) {
            SecurityContextHolder.getContext().setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
                    "operator", null, AuthorityUtils.createAuthorityList("ROLE_" + OPERATOR)));
        }
        chain.doFilter(request, response);
    }
}
