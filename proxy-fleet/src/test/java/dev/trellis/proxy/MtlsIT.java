package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.MESH;
import static dev.trellis.proxy.Snapshots.rule;
import static dev.trellis.proxy.Snapshots.upstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.compiler.snapshot.AccessControl.AccessRule;
import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.Inbound;
import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.MtlsMode;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.proxy.fleet.CertificateRenewed;
import dev.trellis.proxy.snapshot.SnapshotApplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two real proxies: web's proxy calls echo's proxy over mTLS with SPIFFE identities from a test CA;
 * echo's proxy refuses callers without a certificate from that CA and applies access rules, is ready
 * only when its inbound port takes a snapshot's transport, and serves a renewed certificate at once.
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

        assertThat(echoProxy.apply(echoSnapshot(MtlsMode.STRICT)).applied()).isTrue();

        Cluster echo = new Cluster("echo", "echo", null, ECHO, true, Cluster.LoadBalancer.ROUND_ROBIN,
                List.of(new Cluster.Endpoint("127.0.0.1", echoProxy.inboundPort)), null, null);
        Snapshot webSnapshot = new Snapshot(null, "tenant-1", MESH, "web", WEB, MtlsMode.STRICT, Snapshots.openInbound(),
                List.of(upstream("echo", rule("echo/default", Match.any(), "echo"))), List.of(echo));
        assertThat(webProxy.apply(webSnapshot).applied()).isTrue();
    }

    static Snapshot echoSnapshot(MtlsMode mode) {
        AccessControl access = new AccessControl(AccessControl.Action.DENY, List.of(
                new AccessRule(AccessControl.Action.DENY, List.of(), List.of("/api/secret"), List.of(), "no-secrets"),
                new AccessRule(AccessControl.Action.ALLOW, List.of(WEB), List.of("/api/"), List.of("GET"), "web-to-echo")));
        return new Snapshot(null, "tenant-1", MESH, "echo", ECHO, mode,
                new Inbound("http", echoApp.port(), access, null, null), List.of(), List.of()).withComputedVersion();
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

    /** Under STRICT, with the caller's identity verified: no spelling of a denied path reaches the app. */
    @Test
    @Timeout(60)
    void noSpellingOfADeniedPathGetsPastTheAccessRules() throws Exception {
        SSLContext tenantCertificate = CA.issue(WEB).sslContext(CA.certificate);
        List<String> spellings = List.of("/api/secret", "//api/secret", "/api/./secret", "/api/%73ecret", "/api/x/../secret",
                "/api/.%2e/api/secret", "/API/SECRET", "/api/Secret/key", "/api/secret%2F..", "/api%2fsecret", "/api/secret;x=1", "/api/..;/api/secret");
        echoApp.reset();
        for (String path : spellings) {
            String direct = statusLine(tenantCertificate.getSocketFactory().createSocket("127.0.0.1", echoProxy.inboundPort), path);
            assertThat(direct).as("direct " + path).isIn("HTTP/1.1 403 Forbidden", "HTTP/1.1 400 Bad Request");
            String throughWeb = statusLine(new Socket("127.0.0.1", webProxy.outboundPort), path);
            assertThat(throughWeb).as("through web's proxy " + path).isIn("HTTP/1.1 403 Forbidden", "HTTP/1.1 400 Bad Request");
        }
        assertThat(echoApp.hits.get()).isZero();
        // Not a blanket refusal: a neighbour of the denied path passes, normalised.
        assertThat(statusLine(new Socket("127.0.0.1", webProxy.outboundPort), "/api/./secrets")).isEqualTo("HTTP/1.1 200 OK");
        assertThat(echoApp.seen().getLast().uri()).isEqualTo("/api/secrets");
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

    @Test
    void readyOnlyOnceTheInboundPortTakesTheSnapshotsTransport() throws Exception {
        SSLContext tenantCertificate = CA.issue(WEB).sslContext(CA.certificate);
        for (int round = 0; round < 3; round++) {
            for (MtlsMode mode : List.of(MtlsMode.DISABLED, MtlsMode.STRICT)) {
                Snapshot next = echoSnapshot(mode);
                CompletableFuture<SnapshotApplier.Outcome> applying = CompletableFuture.supplyAsync(() -> echoProxy.apply(next));
                awaitReady(next.version());
                // At once, with the new transport: plaintext is answered (by the access rules, the caller has
                // no identity) under DISABLED, a tenant certificate's handshake succeeds under STRICT.
                if (mode == MtlsMode.DISABLED) {
                    assertThat(statusLine(new Socket("127.0.0.1", echoProxy.inboundPort))).isEqualTo("HTTP/1.1 403 Forbidden");
                } else {
                    assertThat(statusLine(tenantCertificate.getSocketFactory().createSocket("127.0.0.1", echoProxy.inboundPort)))
                            .isEqualTo("HTTP/1.1 200 OK");
                }
                assertThat(applying.get(10, TimeUnit.SECONDS).applied()).isTrue();
            }
        }
    }

    @Test
    void servesARenewedCertificateWithoutDroppingRequestsUnderWay() throws Exception {
        SSLContext tenantCertificate = CA.issue(WEB).sslContext(CA.certificate);
        BigInteger before = servedSerial(tenantCertificate);
        echoApp.behave((hit, exchange) -> new TestBackend.Reply(200, exchange.getRequestURI().getPath().endsWith("/slow") ? 1500 : 0));
        try {
            CompletableFuture<HttpResponse<String>> underWay = CompletableFuture.supplyAsync(() -> webProxy.get("http://echo/api/slow"));
            await().atMost(Duration.ofSeconds(5)).until(() -> echoApp.seen().stream().anyMatch(s -> s.uri().endsWith("/slow")));

            TestCa.Issued renewed = CA.issue(ECHO);
            renewed.writeTo(echoProxy.dataDir, CA.certificate);
            echoProxy.proxy.certificateRenewed(new CertificateRenewed(renewed.certificate().getNotAfter().toInstant()));

            assertThat(servedSerial(tenantCertificate)).isEqualTo(renewed.certificate().getSerialNumber()).isNotEqualTo(before);
            assertThat(underWay.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(webProxy.get("http://echo/api/items").statusCode()).isEqualTo(200);
        } finally {
            echoApp.reset();
        }
    }

    private static void awaitReady(String version) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        // No pause between polls: the first 200 for this version is the one a caller would act on.
        while (System.nanoTime() < deadline) {
            HttpResponse<String> ready = echoProxy.admin("/ready");
            if (ready.statusCode() == 200 && ready.body().equals("ready " + version + "\n")) return;
        }
        throw new AssertionError("never ready with snapshot " + version);
    }

    /** Sends one GET for /api/items on a fresh connection and returns the status line. */
    private static String statusLine(Socket socket) throws IOException {
        return statusLine(socket, "/api/items");
    }

    private static String statusLine(Socket socket, String path) throws IOException {
        try (socket) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: echo\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    private static BigInteger servedSerial(SSLContext client) throws IOException {
        try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", echoProxy.inboundPort)) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
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
