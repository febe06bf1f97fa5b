package dev.trellis.proxy.fleet;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.trellis.proxy.policy.SnapshotPolicyFilters;
import dev.trellis.proxy.policy.UsageLedger;
import dev.trellis.proxy.routing.ActiveRoutes;
import dev.trellis.proxy.routing.RouteCompiler;
import dev.trellis.proxy.snapshot.SnapshotApplier;
import dev.trellis.proxy.upstream.ClusterRegistry;
import dev.trellis.proxy.upstream.UpstreamClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The poll loop's verdicts against a real HTTP server standing in for the control plane's fleet API:
 * a verdict the control plane did not take (busy: 503) is sent again before the next poll, and one it
 * refused for what it says (422) is not. The candidate is not a snapshot, so the verdict is a rejection
 * and nothing else (endpoints, listeners) is involved.
 */
@Timeout(30)
class ControlPlaneSnapshotSourceTest {
    private HttpServer server;
    /** What reached the control plane, in order: "poll", or "status <answer>". */
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final List<JsonNode> reports = new CopyOnWriteArrayList<>();
    private final AtomicInteger polls = new AtomicInteger();
    private ControlPlaneSnapshotSource source;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/fleet/config", exchange -> {
            calls.add("poll");
            if (polls.getAndIncrement() == 0) {
                exchange.getResponseHeaders().add("ETag", "\"sha256:candidate\"");
                answer(exchange, 200, "not a snapshot".getBytes());
            } else {
                // A held poll that ends with nothing new, shortened.
                pause(100);
                answer(exchange, 304, null);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        if (source != null) source.close();
        server.stop(0);
    }

    /** Status reports answered with {@code answers} in turn, the last one from then on. */
    private void statusAnswers(int... answers) {
        AtomicInteger next = new AtomicInteger();
        server.createContext("/v1/fleet/status", exchange -> {
            reports.add(ControlPlaneClient.JSON.readTree(exchange.getRequestBody().readAllBytes()));
            int status = answers[Math.min(next.getAndIncrement(), answers.length - 1)];
            calls.add("status " + status);
            answer(exchange, status, null);
        });
    }

    private void start(Path dataDir) throws Exception {
        FleetIdentity identity = new FleetIdentity(dataDir);
        KeyMaterial key = KeyMaterial.generate();
        Instant from = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));
        String certificate = FleetIdentityTest.selfSigned(key, from, from.plus(Duration.ofHours(3)));
        identity.registered(key, ControlPlaneClient.JSON.valueToTree(Map.of(
                "token", "trp_p1_secret", "certificateChain", certificate, "trustBundle", certificate)));
        ActiveRoutes routes = new ActiveRoutes();
        RouteCompiler compiler = new RouteCompiler(new ClusterRegistry(), new UpstreamClient(),
                new SnapshotPolicyFilters(new SimpleMeterRegistry(), new UsageLedger()), 8080);
        SnapshotApplier applier = new SnapshotApplier(compiler, routes, dataDir, applied -> { });
        source = new ControlPlaneSnapshotSource(new ControlPlaneClient("http://127.0.0.1:" + server.getAddress().getPort()),
                identity, "", "echo", applier, routes, new EndpointOffer("127.0.0.1", 15006), renewed -> { },
                Duration.ofSeconds(60), Duration.ZERO);
        source.start(candidate -> { });
    }

    @Test
    void aVerdictTheControlPlaneWasTooBusyToTakeIsSentAgainBeforeTheNextPoll(@TempDir Path dataDir) throws Exception {
        statusAnswers(503, 204);

        start(dataDir);

        await().atMost(Duration.ofSeconds(10)).until(() -> calls.size() >= 4);
        assertThat(List.copyOf(calls).subList(0, 4)).containsExactly("poll", "status 503", "status 204", "poll");
        assertThat(reports).hasSize(2);
        assertThat(reports.get(1)).isEqualTo(reports.get(0));
        assertThat(reports.get(0).get("version").asString()).isEqualTo("sha256:candidate");
        assertThat(reports.get(0).get("result").asString()).isEqualTo("rejected");
        assertThat(reports.get(0).get("reason").asString()).startsWith("not a snapshot");
    }

    @Test
    void aVerdictRefusedForWhatItSaysIsNotSentAgain(@TempDir Path dataDir) throws Exception {
        statusAnswers(422);

        start(dataDir);

        await().atMost(Duration.ofSeconds(10)).until(() -> polls.get() >= 4);
        assertThat(List.copyOf(calls).subList(0, 4)).containsExactly("poll", "status 422", "poll", "poll");
        assertThat(reports).hasSize(1);
    }

    private static void answer(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body == null ? -1 : body.length);
        if (body != null) exchange.getResponseBody().write(body);
        exchange.close();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
