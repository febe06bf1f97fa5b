package dev.trellis.controlplane.portal;

import dev.trellis.controlplane.access.Caller;
import dev.trellis.controlplane.access.Memberships;
import dev.trellis.controlplane.access.Role;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Turns a portal session into the {@link Caller} the API's features see, on every request: the
 * session's tenant, the role from the token's role claim or else from {@code /v1/members} (so a
 * removed member loses the session's access on the next request). A demo session counts only on
 * requests from this machine. The session itself keeps what it had (its sign-in, for logout). A session
 * older than {@code trellis.portal.session.absolute-timeout} is ended here, however active it was.
 * Part of the security chain only (not a servlet filter of its own).
 */
class SessionCallers extends OncePerRequestFilter {
    private final String roleClaim;
    private final Memberships members;
    private final Duration absoluteTimeout;

    SessionCallers(String roleClaim, Memberships members, Duration absoluteTimeout) {
        this.roleClaim = roleClaim;
        this.members = members;
        this.absoluteTimeout = absoluteTimeout;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        HttpSession existing = request.getSession(false);
        if (existing != null && Instant.ofEpochMilli(existing.getCreationTime()).plus(absoluteTimeout).isBefore(Instant.now())) {
            // However active it was, a session ends its absolute timeout after it began: on every replica,
            // since the session and its creation time are in the shared store.
            existing.invalidate();
            SecurityContextHolder.clearContext();
        }
        Authentication session = SecurityContextHolder.getContext().getAuthentication();
        Optional<Caller> caller = Optional.empty();
        boolean fromSession = false;
        if (session instanceof OAuth2AuthenticationToken signedIn && signedIn.getPrincipal() instanceof OidcUser user) {
            fromSession = true;
            caller = callerOf(request.getSession(false), user);
        } else if (session instanceof LocalDemoSession.SignIn demo) {
            fromSession = true;
            caller = LocalDemoSession.fromThisMachine(request) ? Optional.of(demo.caller()) : Optional.empty();
        }
        if (fromSession) {
            // A fresh context for this request: the session's own stays as it was signed in.
            SecurityContext context = SecurityContextHolder.createEmptyContext();
            caller.ifPresent(c -> context.setAuthentication(c.authentication()));
            SecurityContextHolder.setContext(context);
        }
        chain.doFilter(request, response);
    }

    private Optional<Caller> callerOf(HttpSession session, OidcUser user) {
        String tenant = session == null ? null : (String) session.getAttribute(PortalSignIn.TENANT);
        if (tenant == null) return Optional.empty();
        Optional<Role> role = Optional.ofNullable(user.getClaimAsString(roleClaim)).flatMap(Role::parse)
                .or(() -> members.roleOf(tenant, user.getSubject()));
        return role.map(r -> new Caller(tenant, user.getSubject(), r));
    }
}
