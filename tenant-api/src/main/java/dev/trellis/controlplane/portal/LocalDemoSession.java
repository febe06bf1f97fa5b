package dev.trellis.controlplane.portal;

import dev.trellis.controlplane.access.Caller;
import dev.trellis.controlplane.access.Role;
import dev.trellis.controlplane.tenant.DemoTenant;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.stereotype.Component;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The embedded default ({@code bin/trellis up}: the demo tenant, no identity provider): the portal
 * opens for the demo tenant's owner without a password, to requests from this machine only. The
 * socket's remote address decides, never a header (and the Host must name this machine too, against
 * DNS rebinding); every request of the session is checked again.
 * With an identity provider configured, or without the demo tenant, there is no such session.
 */
@Component
class LocalDemoSession {
    static final String SUBJECT = "demo";
    private final boolean identityProvider;
    private final ObjectProvider<DemoTenant> demo;
    private final HttpSessionSecurityContextRepository sessions = new HttpSessionSecurityContextRepository();

    LocalDemoSession(@Value("${trellis.oidc.issuer-uri:}") String issuer, ObjectProvider<DemoTenant> demo) {
        this.identityProvider = !issuer.isBlank();
        this.demo = demo;
    }

    /** The demo owner's sign-in, kept in the session (serialized into PostgreSQL: it holds the tenant's id only). */
    static final class SignIn extends AbstractAuthenticationToken {
        private static final long serialVersionUID = 1L;
        private final String tenantId;

        SignIn(String tenantId) {
            super(AuthorityUtils.NO_AUTHORITIES);
            this.tenantId = tenantId;
            setAuthenticated(true);
        }

        Caller caller() {
            return new Caller(tenantId, SUBJECT, Role.OWNER);
        }

        @Override
        public Object getCredentials() {
            return null;
        }

        @Override
        public Object getPrincipal() {
            return caller();
        }
    }

    /** The demo tenant, when a local session may be opened for this request. */
    Optional<String> tenantFor(HttpServletRequest request) {
        if (identityProvider || !fromThisMachine(request)) return Optional.empty();
        DemoTenant tenant = demo.getIfAvailable();
        return tenant == null ? Optional.empty() : tenant.tenantId();
    }

    boolean offered() {
        return !identityProvider && demo.getIfAvailable() != null;
    }

    /** Opens the session (a new id, as at any sign-in) and answers its caller. */
    Caller open(String tenantId, HttpServletRequest request, HttpServletResponse response) {
        SignIn signIn = new SignIn(tenantId);
        if (request.getSession(false) != null) request.changeSessionId();
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(signIn);
        sessions.saveContext(context, request, response);
        return signIn.caller();
    }

    /**
     * The connection comes from a loopback address, and the page was asked for by a loopback name:
     * a web page whose own host name an attacker points at 127.0.0.1 (DNS rebinding) is not the portal.
     */
    static boolean fromThisMachine(HttpServletRequest request) {
        return loopback(request.getRemoteAddr()) && isLoopbackName(request.getServerName());
    }

    private static boolean isLoopbackName(String host) {
        if (host == null) return false;
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return bare.equalsIgnoreCase("localhost") || (bare.matches("[0-9.]+|[0-9a-fA-F:]+") && loopback(bare));
    }

    private static boolean loopback(String address) {
        try {
            // An address literal: no name is looked up.
            return address != null && InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
