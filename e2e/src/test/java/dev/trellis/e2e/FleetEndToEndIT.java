package dev.trellis.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole path with real processes: API write → compiled snapshot → long poll → proxies apply it
 * → traffic between proxies (STRICT mTLS, certificates from the mesh's authority) changes. Then the
 * control plane goes away and comes back, and nothing is lost; a proxy that stops takes its endpoint along.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetEndToEndIT {
    private final ShopMesh mesh = new ShopMesh();

    @BeforeAll
    void start() throws InterruptedException {
        mesh.startControlPlane();
        mesh.declare();
        for (ShopMesh.Workload workload : mesh.workloads.values()) mesh.startProxy(workload, mesh.joinToken(workload));
        mesh.awaitTraffic(Duration.ofSeconds(90));
    }

    @AfterAll
    void stop() throws InterruptedException {
        mesh.close();
    }

    @Test
    @Order(1)
    void aNinetyTenSplitThenAPutMovesAllTrafficToV2() {
        Map<String, Integer> counts = count(mesh.callEcho(400));
        System.out.println("90/10 split through web's proxy: " + counts);
        assertThat(counts.keySet()).containsOnly("echo v1", "echo v2");
        assertThat(counts.get("echo v1")).isBetween(320, 390);

        HttpClient web = mesh.workloads.get("web-v1").outboundClient();
        long written = System.nanoTime();
        mesh.api.declare("/v1/meshes/shop/routes/echo-split", ShopMesh.split(0, 100));
        // Moved when 20 answers in a row come from v2; the time is when the first of them was sent.
        long movedAt = 0;
        int inARow = 0;
        while (inARow < 20) {
            long sent = System.nanoTime();
            String answer = ShopMesh.callOnce(web);
            assertThat(answer).isIn("echo v1", "echo v2");
            if (answer.equals("echo v2")) {
                if (inARow++ == 0) movedAt = sent;
            } else {
                inARow = 0;
            }
            assertThat(Duration.ofNanos(System.nanoTime() - written)).isLessThan(Duration.ofSeconds(10));
        }
        Duration moved = Duration.ofNanos(movedAt - written);
        System.out.println("write → all traffic on v2: " + moved.toMillis() + " ms");
        assertThat(count(mesh.callEcho(100))).isEqualTo(Map.of("echo v2", 100));
        assertThat(moved).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    @Order(2)
    void aPlaintextCallToEchosInboundPortIsRefused() throws Exception {
        int inbound = mesh.workloads.get("echo-v1").inbound;
        // A plaintext HTTP request gets no HTTP answer at all: a TLS listener sends an alert or closes.
        // (Were TLS skipped, the access filter would answer an HTTP 403 here, and this would fail.)
        String answer;
        try (Socket socket = new Socket("127.0.0.1", inbound)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /hello HTTP/1.1\r\nHost: echo\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            answer = read(socket.getInputStream());
        }
        assertThat(answer).doesNotStartWith("HTTP/").doesNotContain("echo v1");

        // And the port does speak TLS, with echo's certificate from the mesh's authority.
        SSLContext trustAny = SSLContext.getInstance("TLS");
        trustAny.init(null, new TrustManager[]{new TrustAny()}, null);
        try (SSLSocket tls = (SSLSocket) trustAny.getSocketFactory().createSocket("127.0.0.1", inbound)) {
            tls.setSoTimeout(5000);
            tls.startHandshake();
            X509Certificate peer = (X509Certificate) tls.getSession().getPeerCertificates()[0];
            assertThat(peer.getSubjectAlternativeNames()).isNotNull()
                    .anySatisfy(san -> assertThat(san.get(1).toString()).startsWith("spiffe://").endsWith("/mesh/shop/service/echo"));
        }
    }

    /** What the peer sent before it closed; a reset after a TLS alert still leaves what was read. */
    private static String read(InputStream in) {
        java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[256];
        try {
            for (int n; received.size() < 256 && (n = in.read(buffer)) > 0; ) received.write(buffer, 0, n);
        } catch (java.net.SocketException reset) {
            // The connection was reset by the TLS listener; what arrived before is the answer.
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    /** Only to see which certificate the inbound port presents; no request is sent over it. */
    private static final class TrustAny implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    @Test
    @Order(3)
    void theFleetListsEveryProxyWithTheVersionItApplied() {
        List<JsonNode> proxies = mesh.api.get("/v1/meshes/shop/proxies").json().get("items").valueStream().toList();
        assertThat(proxies).hasSize(3);
        for (JsonNode proxy : proxies) {
            String snapshot = mesh.api.get("/v1/meshes/shop/snapshots/" + proxy.get("service").asString()).json().get("version").asString();
            assertThat(proxy.get("appliedVersion").asString()).as(proxy.toString()).isEqualTo(snapshot);
        }
    }

    @Test
    @Order(4)
    void withTheControlPlaneDownProxiesServeAndRestartFromTheirDataThenCatchUp() throws Exception {
        // Steady traffic from web to echo through the whole outage (-Dtrellis.e2e.outage, bench/fleet-outage.sh runs 5 minutes).
        Duration outage = Duration.parse(System.getProperty("trellis.e2e.outage", "PT5S"));
        try (SteadyTraffic traffic = SteadyTraffic.through(mesh.workloads.get("web-v1"))) {
            mesh.controlPlane.stop();
            long stopped = System.nanoTime();
            Thread.sleep(outage);
            traffic.close();
            System.out.printf("control plane down %d s under steady traffic: %d requests, %d failed%n",
                    Duration.ofNanos(System.nanoTime() - stopped).toSeconds(), traffic.requests(), traffic.failures().size());
            assertThat(traffic.failures()).isEmpty();
            assertThat(traffic.requests()).isGreaterThan(0);
        }
        assertThat(count(mesh.callEcho(50))).isEqualTo(Map.of("echo v2", 50));

        // A proxy restarted while the control plane is down starts from its stored key, certificate and snapshot.
        ShopMesh.Workload echoV2 = mesh.workloads.get("echo-v2");
        echoV2.proxy.stop();
        mesh.startProxy(echoV2, null);
        assertThat(count(mesh.callEcho(50))).isEqualTo(Map.of("echo v2", 50));

        // The control plane returns while traffic flows: proxies catch up without a restart and no call fails.
        SteadyTraffic returning = SteadyTraffic.through(mesh.workloads.get("web-v1"));
        mesh.controlPlane.start();
        mesh.controlPlane.awaitStatus("http://127.0.0.1:" + mesh.controlPlanePort + "/v1/tenant", 401, Duration.ofSeconds(90));
        assertThat(mesh.api.get("/v1/meshes/shop/proxies").json().get("items").size()).isEqualTo(3);
        long written = System.nanoTime();
        mesh.api.declare("/v1/meshes/shop/routes/echo-split", ShopMesh.split(100, 0));
        while (!ShopMesh.callOnce(mesh.workloads.get("web-v1").outboundClient()).equals("echo v1")) {
            assertThat(Duration.ofNanos(System.nanoTime() - written)).isLessThan(Duration.ofSeconds(20));
            Thread.sleep(50);
        }
        System.out.println("after the control plane's restart, write → traffic moved: "
                + Duration.ofNanos(System.nanoTime() - written).toMillis() + " ms");
        Thread.sleep(500);
        returning.close();
        System.out.printf("while the control plane returned: %d requests, %d failed%n", returning.requests(), returning.failures().size());
        assertThat(returning.failures()).isEmpty();
        assertThat(count(mesh.callEcho(50))).isEqualTo(Map.of("echo v1", 50));
    }

    @Test
    @Order(5)
    void aProxyThatShutsDownWithdrawsItsEndpointFromCallersSnapshots() throws Exception {
        ShopMesh.Workload echoV1 = mesh.workloads.get("echo-v1");
        String endpoint = "\"port\":" + echoV1.inbound + "}";
        assertThat(mesh.api.get("/v1/meshes/shop/snapshots/web").body()).contains(endpoint);
        mesh.api.declare("/v1/meshes/shop/routes/echo-split", ShopMesh.split(0, 100));
        echoV1.proxy.stop();
        assertThat(mesh.api.get("/v1/meshes/shop/snapshots/web").body()).doesNotContain(endpoint);
        assertThat(count(mesh.callEcho(20))).isEqualTo(Map.of("echo v2", 20));
    }

    private static Map<String, Integer> count(List<String> answers) {
        Map<String, Integer> counts = new HashMap<>();
        answers.forEach(answer -> counts.merge(answer, 1, Integer::sum));
        return counts;
    }
}
