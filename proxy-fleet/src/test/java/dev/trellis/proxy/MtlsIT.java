package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.MESH;
import static dev.trellis.proxy.Snapshots.rule;
import static dev.trellis.proxy.Snapshots.upstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import javax.net.ssl.SSLContext;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.compiler.snapshot.AccessControl.AccessRule;
import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.Inbound;
import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.MtlsMode;
import dev.trellis.compiler.snapshot.Snapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two real proxies: web's proxy calls echo's proxy over mTLS with SPIFFE identities from a test CA;
 * echo's proxy refuses callers without a certificate from that CA and applies access rules.
 */
class MtlsIT {
    static final String WEB = "spiffe://tenant-1/ns/shop/sa/web";
    static final String ECHO = "spiffe://tenant-1/ns/shop/sa/echo";
    static final TestCa CA = new TestCa("tenant-1 CA");
    static final TestCa ROGUE = new TestCa("someone else's CA");
    static TestBackend echoApp;
    static ProxyHarness webProxy;
    static ProxyHarness echoProxy;

    @BeforeAll
    static void start() {
        echoApp = TestBackend.start("echo-app");
        Path webData = ProxyHarness.tempDir("web");
        Path echoData = ProxyHarness.tempDir("echo");
        CA.issue(WEB).writeTo(webData, CA.certificate);
        CA.issue(ECHO).writeTo(echoData, CA.certificate);
        webProxy = new ProxyHarness(SharedProxy.APP.port(), webData);
        echoProxy = new ProxyHarness(echoApp.port(), echoData);

        AccessControl access = new AccessControl(AccessControl.Action.DENY, List.of(
                new AccessRule(AccessControl.Action.DENY, List.of(), List.of("/api/secret"), List.of(), "no-secrets"),
                new AccessRule(AccessControl.Action.ALLOW, List.of(WEB), List.of("/api/"), List.of("GET"), "web-to-echo")));
        Snapshot echoSnapshot = new Snapshot(null, "tenant-1", MESH, "echo", ECHO, MtlsMode.STRICT,
                new Inbound("http", echoApp.port(), access, null, null), List.of(), List.of());
        assertThat(echoProxy.apply(echoSnapshot).applied()).isTrue();

        Cluster echo = new Cluster("echo", "echo", null, ECHO, true, Cluster.LoadBalancer.ROUND_ROBIN,
                List.of(new Cluster.Endpoint("127.0.0.1", echoProxy.inboundPort)), null, null);
        Snapshot webSnapshot = new Snapshot(null, "tenant-1", MESH, "web", WEB, MtlsMode.STRICT, Snapshots.openInbound(),
                List.of(upstream("echo", rule("echo/default", Match.any(), "echo"))), List.of(echo));
        assertThat(webProxy.apply(webSnapshot).applied()).isTrue();
    }

    @AfterAll
    static void stop() {
        webProxy.close();
        echoProxy.close();
        echoApp.close();
    }

    @Test
    void proxiesTalkMtlsAndTheAppLearnsTheCallersIdentity() {
        HttpResponse<String> response = webProxy.get("http://echo/api/items", "x-trellis-peer-identity", "spiffe://forged");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("echo-app");
        assertThat(echoApp.seen().getLast().header("x-trellis-peer-identity")).isEqualTo(WEB);
    }

    @Test
    void accessRulesDenyByIdentityPathAndMethod() {
        assertThat(webProxy.get("http://echo/api/items").statusCode()).isEqualTo(200);
        assertThat(webProxy.get("http://echo/api/secret/key").statusCode()).isEqualTo(403);
        assertThat(webProxy.get("http://echo/admin").statusCode()).isEqualTo(403);
        HttpResponse<String> post = webProxy.send(webProxy.request("http://echo/api/items")
                .POST(HttpRequest.BodyPublishers.ofString("x")).build());
        assertThat(post.statusCode()).isEqualTo(403);
        assertThat(post.headers().firstValue("x-trellis-error")).hasValue("access denied");
    }

    @Test
    void callersWithoutACertificateFromTheTenantsCaAreRefused() throws Exception {
        URI inbound = URI.create("https://127.0.0.1:" + echoProxy.inboundPort + "/api/items");
        SSLContext noCertificate = SSLContext.getInstance("TLS");
        noCertificate.init(null, TestCa.trustOnly(CA.certificate).getTrustManagers(), null);
        SSLContext rogueCertificate = ROGUE.issue(WEB).sslContext(CA.certificate);
        SSLContext tenantCertificate = CA.issue(WEB).sslContext(CA.certificate);

        assertThatThrownBy(() -> call(noCertificate, inbound)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> call(rogueCertificate, inbound)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> call(null, URI.create("http://127.0.0.1:" + echoProxy.inboundPort + "/api/items")))
                .isInstanceOf(IOException.class);
        assertThat(call(tenantCertificate, inbound).statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> call(SSLContext tls, URI uri) throws Exception {
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
        if (tls != null) builder.sslContext(tls);
        try (HttpClient client = builder.build()) {
            return client.send(HttpRequest.newBuilder(uri).timeout(java.time.Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }
}
