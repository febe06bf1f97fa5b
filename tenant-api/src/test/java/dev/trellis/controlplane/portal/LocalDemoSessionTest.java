package dev.trellis.controlplane.portal;

import dev.trellis.controlplane.access.Caller;
import dev.trellis.controlplane.access.Role;
import dev.trellis.controlplane.tenant.DemoTenant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.core.context.SecurityContextHolder;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/** The demo session is for this machine only: the socket's address decides, never a header. */
class LocalDemoSessionTest {
    private final DemoTenant demo = mock(DemoTenant.class);

    LocalDemoSessionTest() {
        when(demo.tenantId()).thenReturn(Optional.of("tdemo"));
    }

    private LocalDemoSession session(String issuer) {
        return new LocalDemoSession(issuer, new StaticListableBeanFactory(Map.of("demo", demo)).getBeanProvider(DemoTenant.class));
    }

    private static MockHttpServletRequest from(String address) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/portal/session");
        request.setRemoteAddr(address);
        request.setServerName("localhost");
        return request;
    }

    @AfterEach
    void clear() {
        SecurityContextHolder.clearContext();
    }

    @Test
    void opensForLoopbackAddressesOnly() {
        assertThat(session("").tenantFor(from("127.0.0.1"))).contains("tdemo");
        assertThat(session("").tenantFor(from("::1"))).contains("tdemo");
        assertThat(session("").tenantFor(from("0:0:0:0:0:0:0:1"))).contains("tdemo");
        assertThat(session("").tenantFor(from("192.0.2.7"))).isEmpty();
        assertThat(session("").tenantFor(from("2001:db8::1"))).isEmpty();
    }

    @Test
    void aForwardedHeaderCannotClaimToBeLocal() {
        MockHttpServletRequest request = from("203.0.113.9");
        request.addHeader("X-Forwarded-For", "127.0.0.1");
        request.addHeader("Forwarded", "for=127.0.0.1");
        request.addHeader("Host", "localhost");
        assertThat(session("").tenantFor(request)).isEmpty();
    }

    @Test
    void aPageOfAnotherHostNameResolvedToThisMachineIsRefused() {
        MockHttpServletRequest rebound = from("127.0.0.1");
        rebound.setServerName("attacker.example");
        assertThat(session("").tenantFor(rebound)).isEmpty();
        MockHttpServletRequest literal = from("127.0.0.1");
        literal.setServerName("127.0.0.1");
        assertThat(session("").tenantFor(literal)).contains("tdemo");
        MockHttpServletRequest v6 = from("::1");
        v6.setServerName("[::1]");
        assertThat(session("").tenantFor(v6)).contains("tdemo");
    }

    @Test
    void withAnIdentityProviderThereIsNoDemoSessionEvenLocally() {
        assertThat(session("http://127.0.0.1:1/realms/trellis").tenantFor(from("127.0.0.1"))).isEmpty();
        assertThat(session("http://127.0.0.1:1/realms/trellis").offered()).isFalse();
    }

    @Test
    void aDemoSessionUsedFromAnotherMachineIsNoCaller() throws Exception {
        SessionCallers callers = new SessionCallers("trellis_role", null, java.time.Duration.ofHours(12));
        Caller owner = new Caller("tdemo", "demo", Role.OWNER);
        Caller[] seen = new Caller[1];
        MockFilterChain chain = new MockFilterChain() {
            @Override
            public void doFilter(jakarta.servlet.ServletRequest request, jakarta.servlet.ServletResponse response) {
                var auth = SecurityContextHolder.getContext().getAuthentication();
                seen[0] = auth == null ? null : (Caller) auth.getPrincipal();
            }
        };
        SecurityContextHolder.getContext().setAuthentication(new LocalDemoSession.SignIn("tdemo"));
        callers.doFilter(from("127.0.0.1"), new MockHttpServletResponse(), chain);
        assertThat(seen[0]).isEqualTo(owner);

        SecurityContextHolder.getContext().setAuthentication(new LocalDemoSession.SignIn("tdemo"));
        MockHttpServletRequest remote = from("198.51.100.4");
        remote.addHeader("X-Forwarded-For", "127.0.0.1");
        callers.doFilter(remote, new MockHttpServletResponse(), chain);
        assertThat(seen[0]).isNull();
    }

    @Test
    void aDemoSignInSurvivesTheSessionStoresSerialization() throws Exception {
        // Sessions are kept in PostgreSQL (Spring Session JDBC serializes their attributes).
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(new LocalDemoSession.SignIn("tdemo"));
        }
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            LocalDemoSession.SignIn back = (LocalDemoSession.SignIn) in.readObject();
            assertThat(back.caller()).isEqualTo(new Caller("tdemo", "demo", Role.OWNER));
            assertThat(back.isAuthenticated()).isTrue();
        }
    }
}
