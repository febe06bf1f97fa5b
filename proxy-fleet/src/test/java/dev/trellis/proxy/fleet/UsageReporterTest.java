package dev.trellis.proxy.fleet;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import dev.trellis.proxy.policy.UsageLedger;
import dev.trellis.proxy.policy.UsageLedgerAccess;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The reporter against a real HTTP server standing in for the control plane's endpoint: what a report
 * holds, that undelivered reports wait and go out oldest first when the endpoint is back, and that a
 * full backlog drops the oldest and says how many.
 */
@Timeout(30)
class UsageReporterTest {
    private HttpServer server;
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger answer = new AtomicInteger(204);
    /** The Retry-After sent with an answer that is not 2xx ("": none). */
    private volatile String retryAfter = "";
    private ControlPlaneClient client;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/fleet/usage", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = answer.get();
            if (status / 100 == 2) received.add(ControlPlaneClient.JSON.readTree(body));
            else if (!retryAfter.isEmpty()) exchange.getResponseHeaders().add("Retry-After", retryAfter);
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        client = new ControlPlaneClient("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private UsageReporter reporter(UsageLedger ledger, int backlog) {
        return reporter(ledger, backlog, Duration.ofSeconds(10));
    }

    private UsageReporter reporter(UsageLedger ledger, int backlog, Duration interval) {
        return new UsageReporter(ledger, report -> new UsageReporter.Delivery(client.post("v1/fleet/usage", "trp_p1_secret", report)),
                () -> "sha256:abc", () -> "p1", interval, backlog);
    }

    @Test
    void aRefusalForLoadWithRetryAfterIsSentAgainThenInsteadOfWithTheNextReport() throws Exception {
        answer.set(503);
        retryAfter = "1";
        // Reports due every hour: only the Retry-After can bring the resend within seconds.
        UsageReporter reporter = reporter(new UsageLedger(), 8, Duration.ofHours(1));
        reporter.start();
        try {
            long refused = System.nanoTime();
            reporter.reportNow();
            assertThat(reporter.backlog()).isEqualTo(1);
            answer.set(204);

            await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);
            long waitedMillis = (System.nanoTime() - refused) / 1_000_000;
            // After the second asked for, and at most as long again at random.
            assertThat(waitedMillis).isBetween(1_000L, 2_500L);
            assertThat(reporter.backlog()).isZero();
        } finally {
            reporter.close();
        }
    }

    @Test
    void aRefusalWithoutRetryAfterWaitsForTheNextReport() throws Exception {
        answer.set(503);
        UsageReporter reporter = reporter(new UsageLedger(), 8, Duration.ofHours(1));
        reporter.start();
        try {
            reporter.reportNow();

            Thread.sleep(2_500);
            assertThat(received).isEmpty();
            assertThat(reporter.backlog()).isEqualTo(1);
        } finally {
            reporter.close();
        }
    }

    @Test
    void aReportHoldsEachRouteStatusClassesBytesRetriesAndAMergeableLatencyHistogram() throws Exception {
        UsageLedger ledger = new UsageLedger();
        UsageLedgerAccess.record(ledger, new UsageLedger.Key("outbound", "echo-canary/0", "echo", null), 200, 1_000, 10, 100, 0, false);
        UsageLedgerAccess.record(ledger, new UsageLedger.Key("outbound", "echo-canary/0", "echo", null), 503, 50_000, 10, 0, 2, true);
        UsageLedgerAccess.record(ledger, new UsageLedger.Key("inbound", "inbound", "web", "spiffe://t.trellis/mesh/shop/service/web"),
                200, 2_000, 0, 5, 0, false);
        UsageLedger.Key grpc = new UsageLedger.Key("outbound", "greeter/0", "greeter", null);
        for (int code : new int[]{0, 0, 14, 5}) {
            UsageLedgerAccess.record(ledger, grpc, 200, 1_000, 10, 10, 0, false);
            UsageLedgerAccess.grpc(ledger, grpc, code);
        }
        UsageReporter reporter = reporter(ledger, 8);

        reporter.reportNow();

        assertThat(received).hasSize(1);
        JsonNode report = received.getFirst();
        assertThat(report.get("proxyId").asString()).isEqualTo("p1");
        assertThat(report.get("snapshotVersion").asString()).isEqualTo("sha256:abc");
        assertThat(report.get("sequence").asLong()).isGreaterThanOrEqualTo(Instant.now().minusSeconds(60).toEpochMilli());
        assertThat(Instant.parse(report.get("windowEnd").asString())).isAfterOrEqualTo(Instant.parse(report.get("windowStart").asString()));
        JsonNode outbound = report.get("routes").valueStream().filter(r -> r.get("direction").asString().equals("outbound")).findFirst().orElseThrow();
        assertThat(outbound.get("rule").asString()).isEqualTo("echo-canary/0");
        assertThat(outbound.get("requests").get("2xx").asLong()).isEqualTo(1);
        assertThat(outbound.get("requests").get("5xx").asLong()).isEqualTo(1);
        assertThat(outbound.get("bytesIn").asLong()).isEqualTo(20);
        assertThat(outbound.get("bytesOut").asLong()).isEqualTo(100);
        assertThat(outbound.get("retries").asLong()).isEqualTo(2);
        assertThat(outbound.get("breakerRejections").asLong()).isEqualTo(1);
        // The plain V2 encoding (its cookie, then the counts), which the control plane reads without inflating.
        ByteBuffer encoded = ByteBuffer.wrap(Base64.getDecoder().decode(outbound.get("latencyMicros").asString()));
        assertThat(encoded.getInt(0)).isEqualTo(0x1c849303 | 0x10);
        Histogram latency = Histogram.decodeFromByteBuffer(encoded, 0);
        assertThat(latency.getTotalCount()).isEqualTo(2);
        assertThat(latency.getMaxValue()).isBetween(49_000L, 51_000L);
        JsonNode inbound = report.get("routes").valueStream().filter(r -> r.get("direction").asString().equals("inbound")).findFirst().orElseThrow();
        assertThat(inbound.get("caller").asString()).isEqualTo("spiffe://t.trellis/mesh/shop/service/web");
        assertThat(outbound.has("grpc")).as("a route without gRPC calls sends no grpc counts").isFalse();
        JsonNode greeter = report.get("routes").valueStream().filter(r -> r.get("rule").asString().equals("greeter/0")).findFirst().orElseThrow();
        assertThat(greeter.get("grpc").propertyNames()).containsExactly("OK", "NOT_FOUND", "UNAVAILABLE");
        assertThat(greeter.get("grpc").get("OK").asLong()).isEqualTo(2);
        assertThat(greeter.get("grpc").get("UNAVAILABLE").asLong()).isEqualTo(1);

        // The next window starts empty: counts are reported once.
        reporter.reportNow();
        assertThat(received.get(1).get("routes")).isEmpty();
        assertThat(received.get(1).get("sequence").asLong()).isGreaterThan(report.get("sequence").asLong());
    }

    @Test
    void undeliveredReportsWaitAndGoOutOldestFirstWhenTheControlPlaneIsBack() throws Exception {
        UsageLedger ledger = new UsageLedger();
        UsageReporter reporter = reporter(ledger, 8);
        answer.set(503);
        for (int i = 1; i <= 3; i++) {
            UsageLedgerAccess.record(ledger, new UsageLedger.Key("outbound", "r/0", "echo", null), 200, 1_000, 0, 0, 0, false);
            reporter.reportNow();
        }
        server.stop(0); // and then not even listening
        reporter.reportNow();
        assertThat(reporter.backlog()).isEqualTo(4);
        assertThat(received).isEmpty();

        serve();
        answer.set(204);
        reporter.reportNow();

        assertThat(reporter.backlog()).isZero();
        assertThat(received).hasSize(5);
        List<Long> sequences = received.stream().map(r -> r.get("sequence").asLong()).toList();
        assertThat(sequences).isSorted().doesNotHaveDuplicates();
        long requests = received.stream().flatMap(r -> r.get("routes").valueStream())
                .mapToLong(r -> r.get("requests").get("2xx").asLong()).sum();
        assertThat(requests).isEqualTo(3);
    }

    @Test
    void aFullBacklogDropsTheOldestAndCountsThem() throws Exception {
        UsageLedger ledger = new UsageLedger();
        UsageReporter reporter = reporter(ledger, 2);
        answer.set(503);
        for (int i = 0; i < 5; i++) reporter.reportNow();
        assertThat(reporter.backlog()).isEqualTo(2);

        answer.set(204);
        reporter.reportNow();

        assertThat(received).hasSize(2);
        assertThat(received.getFirst().get("droppedReports").asLong()).isEqualTo(4);
        // Once told, the count starts again.
        reporter.reportNow();
        assertThat(received.getLast().has("droppedReports")).isFalse();
    }
}
