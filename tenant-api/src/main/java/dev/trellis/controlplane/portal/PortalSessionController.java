package dev.trellis.controlplane.portal;

import dev.trellis.controlplane.access.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /portal/session}: who the browser's session is (tenant, subject, role, how it signed in)
 * and the CSRF token its changes must carry; or how to sign in. The portal's own endpoint, not part of
 * the public API: it answers only what the session cookie already stands for and never a token.
 */
@RestController
class PortalSessionController {
    private final PortalClient client;
    private final LocalDemoSession demo;

    PortalSessionController(PortalClient client, LocalDemoSession demo) {
        this.client = client;
        this.demo = demo;
    }

    record Csrf(String header, String parameter, String token) {
    }

    record Session(boolean signedIn, String signIn, String tenantId, String subject, String role,
                   Csrf csrf, String signInUrl, String message) {
    }

    @GetMapping("/portal/session")
    ResponseEntity<Session> session(HttpServletRequest request, HttpServletResponse response) {
        Authentication current = SecurityContextHolder.getContext().getAuthentication();
        Caller caller = current != null && current.getPrincipal() instanceof Caller c ? c : null;
        boolean oidc = client.configured();
        if (caller == null && !oidc) {
            caller = demo.tenantFor(request).map(tenant -> demo.open(tenant, request, response)).orElse(null);
        }
        Session answer;
        if (caller == null) {
            String message = oidc ? "Sign in with your identity provider."
                    : demo.offered() ? "The demo portal opens without a password only on the machine that runs Trellis."
                    : "No identity provider is configured (trellis.oidc.issuer-uri): use the API with an API key.";
            answer = new Session(false, null, null, null, null, null, oidc ? client.signInPath() : null, message);
        } else {
            CsrfToken csrf = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
            String how = oidc ? "oidc" : "localhost";
            String message = oidc ? null
                    : "Opened without a password as the demo tenant's owner, because this request came from this machine.";
            answer = new Session(true, how, caller.tenantId(), caller.subject(), caller.role().wireName(),
                    new Csrf(csrf.getHeaderName(), csrf.getParameterName(), csrf.getToken()), null, message);
        }
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(answer);
    }
}
