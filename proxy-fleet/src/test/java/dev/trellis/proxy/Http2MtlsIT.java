package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.MESH;
import static dev.trellis.proxy.Snapshots.prefix;
import static dev.trellis.proxy.Snapshots.rule;
import static dev.trellis.proxy.Snapshots.upstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.compiler.snapshot.AccessControl.AccessRule;
import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.Inbound;
import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.MtlsMode;
import dev.trellis.compiler.snapshot.Retry;
import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.WeightedCluster;
import dev.trellis.proxy.policy.UsageLedger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HTTP/2 over mTLS between proxies, negotiated by ALPN: a real proxy calling another real proxy, a
 * real curl checking what the inbound port selects, and real HTTP/2 servers (Netty) standing where
 * a callee's proxy would, to count connections and streams and to send {@code GOAWAY} and
 * {@code RST_STREAM}. The calling proxy has one event loop, so all its calls to one endpoint share
 * one connection unless something ends it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Http2MtlsIT {
    static final String WEB = "spiffe://tenant-1/ns/shop/sa/web";
    static final String ECHO = "spiffe://tenant-1/ns/shop/sa/echo";
    static final TestCa CA = new TestCa("tenant-1 CA");
    static TestBackend echoApp;
    static ProxyHarness echoProxy;
    static ProxyHarness webProxy;
    static Path webData;
    static H2Peer peerA;
    static H2Peer peerB;
    static H2Peer draining;
    static H2Peer resetting;

    @BeforeAll
    static void start() {
        echoApp = TestBackend.start("echo-app");
        webData = ProxyHarness.tempDir("h2-web");
        Path echoData = ProxyHarness.tempDir("h2-echo");
        CA.issue(WEB).writeTo(webData, CA.certificate);
        CA.issue(ECHO).writeTo(echoData, CA.certificate);
        peerA = new H2Peer("peer-a", echoData);
        peerB = new H2Peer("peer-b", echoData);
        draining = new H2Peer("draining", echoData);
        resetting = new H2Peer("resetting", echoData);
        echoProxy = new ProxyHarness(echoApp.port(), echoData);
        webProxy = new ProxyHarness(SharedProxy.APP.port(), webData, "--trellis.event-loops=1");

        AccessControl onlyWeb = new AccessControl(AccessControl.Action.DENY, List.of(
                new AccessRule(AccessControl.Action.DENY, List.of(), List.of("/denied"), List.of(), "no-denied"),
                new AccessRule(AccessControl.Action.ALLOW, List.of(WEB), List.of(), List.of(), "web-to-echo")));
        assertThat(echoProxy.apply(new Snapshot(null, "tenant-1", MESH, "echo", ECHO, MtlsMode.STRICT,
                new Inbound("http", 8080, onlyWeb, null, null), List.of(), List.of())).applied()).isTrue();

        RouteRule flaky = new RouteRule("peers-flaky/0", prefix("/flaky"), List.of(new WeightedCluster("peers", 1)), 0,
                new Retry(3, 0, List.of("5xx"), 0, 0, 0), null, null, null, null);
        Snapshot web = new Snapshot(null, "tenant-1", MESH, "web", WEB, MtlsMode.STRICT, Snapshots.openInbound(),
                List.of(upstream("echo", rule("echo/default", Match.any(), "echo")),
                        upstream("peers", flaky, rule("peers/default", Match.any(), "peers")),
                        upstream("draining", rule("draining/default", Match.any(), "draining")),
                        upstream("resetting", rule("resetting/default", Match.any(), "resetting"))),
                List.of(mtls("echo", echoProxy.inboundPort), mtls("peers", peerA.port(), peerB.port()),
                        mtls("draining", draining.port()), mtls("resetting", resetting.port())));
        assertThat(webProxy.apply(web).applied()).isTrue();
    }

    static Cluster mtls(String name, int... ports) {
        return new Cluster(name, name, null, ECHO, true, Cluster.LoadBalancer.ROUND_ROBIN,
                java.util.Arrays.stream(ports).mapToObj(p -> new Cluster.Endpoint("127.0.0.1", p)).toList(), null, null);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {webProxy, echoProxy, echoApp, peerA, peerB, draining, resetting}) {
            try {
                if (c != null) c.close();
            } catch (Exception ignored) {
                // closing at the end
            }
        }
    }

    @Test
    void twoProxiesSpeakHttp2OverMtlsOnOneConnectionChosenByAlpn() throws Exception {
        UsageLedger echoUsage = echoProxy.proxy.usage();
        echoUsage.drainConnections();
        List<HttpResponse<String>> answers = webProxy.sendMany(40, 20, () -> webProxy.request("http://echo/hello").GET().build());
        assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
        // 40 calls, 20 at a time, as streams of one connection: HTTP/1.1 would have needed about 20.
        assertThat(echoUsage.drainConnections().inboundOpened()).isEqualTo(1);
        // The access rule admitted the caller's identity, read from the connection of each stream.
        assertThat(echoApp.seen).isNotEmpty().allSatisfy(s -> assertThat(s.header("x-trellis-peer-identity")).isEqualTo(WEB));

        // An answer of the callee's proxy itself (403, before it read the request's end) reaches the caller,
        // and the connection carries on.
        List<HttpResponse<String>> denied = webProxy.sendMany(10, 5, () -> webProxy.request("http://echo/denied").GET().build());
        assertThat(denied).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(403));
        assertThat(webProxy.get("http://echo/hello").statusCode()).isEqualTo(200);
        assertThat(echoUsage.drainConnections().inboundOpened()).isZero();

        // The inbound port selects h2 for a client that offers it, and still speaks HTTP/1.1 to one that does not.
        assertThat(curl("--http2")).isEqualTo("2 200");
        assertThat(curl("--http1.1")).isEqualTo("1.1 200");
    }

    private static String curl(String version) throws Exception {
        Process curl = new ProcessBuilder("curl", "-sk", version, "--cert", webData.resolve("cert.pem").toString(),
                "--key", webData.resolve("key.pem").toString(), "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
                "https://127.0.0.1:" + echoProxy.inboundPort + "/hello").redirectErrorStream(true).start();
        assertThat(curl.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }

    @Test
    void manyStreamsShareAConnectionAndEachRequestIsBalancedAndRetriedOnItsOwn() {
        List<HttpResponse<String>> answers = webProxy.sendMany(60, 20, () -> webProxy.request("http://peers/id").GET().build());
        assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
        Map<String, List<String>> byPeer = answers.stream().map(HttpResponse::body)
                .collect(Collectors.groupingBy(b -> b.substring(0, b.indexOf(' '))));
        assertThat(byPeer.keySet()).containsExactlyInAnyOrder("peer-a", "peer-b");
        assertThat(byPeer.values()).allSatisfy(bodies -> {
            assertThat(bodies).hasSizeGreaterThanOrEqualTo(20);
            assertThat(bodies.stream().map(Http2MtlsIT::connection).distinct()).hasSize(1); // one connection per peer
            assertThat(bodies.stream().map(b -> b.substring(b.indexOf("stream="))).distinct()).hasSameSizeAs(bodies);
        });
        assertThat(peerA.protocols).isNotEmpty().allSatisfy(p -> assertThat(p).isEqualTo("h2"));

        // Each peer fails every other /flaky call with 503; each request is retried on its own stream, on the
        // other peer first (a retry avoids the endpoint that failed), so within 3 attempts every one succeeds.
        List<HttpResponse<String>> flaky = webProxy.sendMany(20, 1, () -> webProxy.request("http://peers/flaky").GET().build());
        assertThat(flaky).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
        assertThat(peerA.flakyHits.get() + peerB.flakyHits.get()).isGreaterThanOrEqualTo(30);
    }

    @Test
    void goAwayLetsStreamsUnderWayFinishWhileNewRequestsGoToANewConnection() {
        assertThat(connection(webProxy.get("http://draining/id").body())).isEqualTo("conn=1");
        List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            slow.add(webProxy.client.sendAsync(webProxy.request("http://draining/slow?ms=1500").GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> draining.requests.get() >= 6);
        draining.goAway();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> fresh = webProxy.get("http://draining/id");
            assertThat(fresh.statusCode()).isEqualTo(200);
            assertThat(connection(fresh.body())).isNotEqualTo("conn=1");
        }
        assertThat(slow).allSatisfy(f -> {
            HttpResponse<String> r = f.join();
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(connection(r.body())).isEqualTo("conn=1");
        });
    }

    @Test
    void aResetStreamFailsItsOwnRequestOnly() {
        List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            slow.add(webProxy.client.sendAsync(webProxy.request("http://resetting/slow?ms=1000").GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> resetting.requests.get() >= 5);
        HttpResponse<String> reset = webProxy.get("http://resetting/reset");
        assertThat(reset.statusCode()).isEqualTo(502);
        assertThat(reset.headers().firstValue("x-trellis-error")).hasValue("reset");
        List<String> connections = slow.stream().map(CompletableFuture::join).map(r -> {
            assertThat(r.statusCode()).isEqualTo(200);
            return connection(r.body());
        }).distinct().toList();
        assertThat(connections).hasSize(1);
        assertThat(resetting.connections.get()).isEqualTo(1); // the reset cost neither the connection nor the others
    }

    private static String connection(String body) {
        Function<String, String> field = b -> b.substring(b.indexOf("conn="), b.indexOf(' ', b.indexOf("conn=")));
        return field.apply(body);
    }
}
