package dev.trellis.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Golden metrics with real processes: the control plane jar, three proxy jars reporting usage every
 * 2 s, and real backends, echo v1 failing every tenth request and echo v2 answering after 40 ms. The
 * test calls echo through web's proxy within one minute and measures what it got; the metrics API
 * must agree: the same number of requests, the same success rate (within half a percentage point),
 * and a p99 at least the slow backend's delay and at most what the client measured (the proxy's clock
 * starts after the client's and stops before it), both for the route (web's proxy, outbound) and
 * for echo itself (its proxies, inbound). Then a route write is marked on the series with its audit event.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TelemetryEndToEndIT {
    private static final long SLOW_MS = 40;
    private static final int CALLS = 400;
    private final ShopMesh mesh = new ShopMesh();

    @BeforeAll
    void start() throws InterruptedException {
        mesh.startControlPlane();
        mesh.declare();
        mesh.api.declare("/v1/meshes/shop/routes/echo-split", ShopMesh.split(50, 50));
        for (ShopMesh.Workload workload : mesh.workloads.values()) {
            mesh.startProxy(workload, mesh.joinToken(workload), Map.of("TRELLIS_USAGE_INTERVAL", "2s"));
        }
        mesh.awaitTraffic(Duration.ofSeconds(90));
    }

    @AfterAll
    void stop() throws InterruptedException {
        mesh.close();
    }

    @Test
    void theApisSuccessRateAndP99MatchWhatTheClientMeasuredAndARouteFlipIsMarked() throws Exception {
        mesh.workloads.get("echo-v1").app.failEvery(10);
        mesh.workloads.get("echo-v2").app.delay(SLOW_MS);
        // The measured calls get a minute of their own: the warm-up calls before it are in earlier minutes.
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), minute).toMillis() + 500));

        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        HttpClient web = mesh.workloads.get("web-v1").outboundClient();
        try (ExecutorService callers = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < CALLS; i++) {
                callers.submit(() -> {
                    long start = System.nanoTime();
                    HttpResponse<String> response = web.send(HttpRequest.newBuilder(URI.create("http://echo/hello"))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                    latencies.add(System.nanoTime() - start);
                    answered.incrementAndGet();
                    if (response.statusCode() == 200) ok.incrementAndGet();
                    return null;
                });
            }
        }
        assertThat(Instant.now()).as("the calls fit in their minute").isBefore(minute.plus(55, ChronoUnit.SECONDS));
        assertThat(answered.get()).isEqualTo(CALLS);
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double clientP99 = sorted.get((int) Math.ceil(0.99 * sorted.size()) - 1) / 1e6;
        double clientSuccess = ok.get() / (double) CALLS;
        System.out.printf("client: %d calls, success %.4f, p99 %.1f ms%n", CALLS, clientSuccess, clientP99);
        assertThat(clientSuccess).isBetween(0.90, 0.99);

        String window = "&from=" + minute + "&to=" + minute.plus(1, ChronoUnit.MINUTES);
        JsonNode route = awaitRequests("/v1/meshes/shop/metrics?service=echo&route=echo-split" + window, CALLS);
        JsonNode served = awaitRequests("/v1/meshes/shop/metrics?service=echo" + window, CALLS);
        for (JsonNode total : List.of(route, served)) {
            System.out.println("API: " + total);
            assertThat(total.get("successRate").asDouble()).isCloseTo(clientSuccess, within(0.005));
            assertThat(total.get("p99Ms").asDouble()).isBetween((double) SLOW_MS, clientP99 * 1.02 + 1);
            assertThat(total.get("p50Ms").asDouble()).isLessThan(total.get("p99Ms").asDouble());
        }

        // A route write: web's snapshot changes, and the series marks it with the write's audit event.
        Instant before = Instant.now();
        mesh.api.declare("/v1/meshes/shop/routes/echo-split", ShopMesh.split(0, 100));
        String webVersion = mesh.api.get("/v1/meshes/shop/snapshots/web").json().get("version").asString();
        JsonNode series = mesh.api.get("/v1/meshes/shop/metrics?service=echo&route=echo-split&from=" + minute
                + "&to=" + Instant.now().plus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MINUTES)).json();
        List<JsonNode> marks = series.get("versionChanges").valueStream()
                .filter(c -> c.get("service").asString().equals("web") && c.get("version").asString().equals(webVersion)).toList();
        assertThat(marks).hasSize(1);
        assertThat(Instant.parse(marks.getFirst().get("time").asString())).isAfterOrEqualTo(before.truncatedTo(ChronoUnit.MILLIS).minusMillis(1));
        JsonNode audit = marks.getFirst().get("auditEvent");
        assertThat(audit.get("action").asString()).isEqualTo("route.put");
        JsonNode event = mesh.api.get("/v1/audit-events").json().get("items").valueStream()
                .filter(e -> e.get("id").asString().equals(audit.get("id").asString())).findFirst().orElseThrow();
        assertThat(event.get("after").toString()).contains("\"weight\":100");
    }

    /** The series' total once the proxies' reports hold {@code requests} (reports arrive every 2 s). */
    private JsonNode awaitRequests(String path, long requests) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            ControlPlaneApi.Answer answer = mesh.api.get(path);
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            JsonNode total = answer.json().get("total");
            if (total.get("requests").asLong() >= requests || System.nanoTime() > deadline) {
                assertThat(total.get("requests").asLong()).as(path).isEqualTo(requests);
                return total;
            }
            Thread.sleep(500);
        }
    }
}
