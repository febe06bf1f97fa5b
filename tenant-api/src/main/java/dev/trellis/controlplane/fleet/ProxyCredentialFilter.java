package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.access.MintedCredential;
import dev.trellis.controlplane.web.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Optional;

/**
 * Authenticates {@code Authorization: Bearer trp_…} proxy tokens ({@link ProxyAuthentication}) for
 * the fleet's Spring Security chain. Not a bean: a filter bean would also be registered with the
 * servlet container, for every path.
 */
class ProxyCredentialFilter extends OncePerRequestFilter {
    private final ProxyAuthentication authentication;

    ProxyCredentialFilter(ProxyAuthentication authentication) {
        this.authentication = authentication;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String token = ProxyAuthentication.token(request);
        if (token != null) {
            Optional<FleetProxy> proxy = authentication.authenticate(token, MintedCredential.hash(token), false);
            if (proxy.isEmpty()) {
                ProblemResponses.write(response, HttpStatus.UNAUTHORIZED, "Unauthorized",
                        ProxyAuthentication.UNKNOWN);
                return;
            }
            SecurityContextHolder.getContext().setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
                    proxy.get(), null, AuthorityUtils.createAuthorityList("ROLE_" + FleetSecurity.PROXY)));
        }
        chain.doFilter(request, response);
    }
}
