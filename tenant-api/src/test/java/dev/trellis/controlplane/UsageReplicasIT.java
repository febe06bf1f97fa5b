package dev.trellis.controlplane;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two control-plane replicas on one real PostgreSQL, each sent the whole stream of a tenant's usage
 * reports in its own random order with random duplicates, at the same time, three lanes per replica:
 * the stored minute buckets, usage rows and report ledger equal what the deduplicated stream adds up
 * to, whatever the order.
 */
class UsageReplicasIT {
    private static final String OPERATOR = "replicas-operator-key";
    private static final java.util.concurrent.ExecutorService LANES = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    private static final List<String[]> KEYS = List.of(
            new String[]{"echo", "inbound", "inbound", "echo", "spiffe://x.trellis/mesh/shop/service/web"},
            new String[]{"echo", "inbound", "inbound", "echo", ""},
            new String[]{"web", "outbound", "echo-canary/0", "echo", ""});

    private static Path work;
    private static EmbeddedPostgres postgres;
    private static ConfigurableApplicationContext one;
    private static ConfigurableApplicationContext two;
    private static Api first;
    private static Api second;

    @BeforeContainer
    static void start() throws Exception {
        work = Files.createTempDirectory("usage-replicas");
        postgres = EmbeddedPostgres.builder().setDataDirectory(work.resolve("postgres")).setServerConfig("listen_addresses", "127.0.0.1").start();
        one = replica();
        two = replica();
        first = new Api(port(one), exchange -> { });
        second = new Api(port(two), exchange -> { });
    }

    @AfterContainer
    static void stop() throws Exception {
        if (two != null) two.close();
        if (one != null) one.close();
        if (postgres != null) postgres.close();
    }

    private static ConfigurableApplicationContext replica() {
        String url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
        // One TRELLIS_HOME: the replicas share the master key the first one generates.
        return new SpringApplicationBuilder(TrellisControlPlane.class).run("--server.port=0", "--trellis.home=" + work.resolve("home"),
                "--trellis.operator-key=" + OPERATOR, "--spring.datasource.url=" + url, "--spring.datasource.username=trellis_app",
                "--spring.datasource.password=", "--spring.flyway.user=postgres", "--spring.flyway.password=",
                "--trellis.fleet.poll-hold=2s", "--spring.datasource.hikari.maximum-pool-size=8");
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /** One report's rows: for each of {@link #KEYS} taken, ok and failed counts and latencies. */
    record Row(int key, int ok, int failed, List<Integer> latencyMicros) {
    }

    record Report(int minute, List<Row> rows) {
    }

    @Provide
    Arbitrary<List<Report>> streams() {
        Arbitrary<Row> row = Combinators.combine(Arbitraries.integers().between(0, KEYS.size() - 1), Arbitraries.integers().between(0, 50),
                Arbitraries.integers().between(0, 5), Arbitraries.integers().between(100, 2_000_000).list().ofMinSize(1).ofMaxSize(20))
                .as(Row::new);
        Arbitrary<Report> report = Combinators.combine(Arbitraries.integers().between(0, 2), row.list().ofMaxSize(4)).as(Report::new);
        return report.list().ofMinSize(1).ofMaxSize(10);
    }

    @Property(tries = 8)
    void anyDeliveryOrderAcrossTwoReplicasCountsEachReportOnce(@ForAll("streams") List<Report> generated, @ForAll long shuffleSeed)
            throws Exception {
        String key = first.post("/v1/tenants", OPERATOR, "{\"name\": \"r-" + UUID.randomUUID().toString().substring(0, 8) + "\"}")
                .json().get("apiKey").asString();
        String tenantId = second.get("/v1/tenant", key).json().get("id").asString();
        assertThat(first.put("/v1/meshes/shop", key, "{\"mtls\": \"PERMISSIVE\"}").status()).isEqualTo(201);
        assertThat(first.put("/v1/meshes/shop/services/echo", key, ControlPlaneIT.ECHO).status()).isEqualTo(201);
        assertThat(second.put("/v1/meshes/shop/services/web", key,
                "{\"protocol\": \"http\", \"port\": 8080, \"versions\": [{\"name\": \"v1\"}], \"dependsOn\": [\"echo\"]}").status()).isEqualTo(201);
        Map<String, String> tokens = Map.of("echo", register(key, "echo"), "web", register(key, "web"));

        Instant base = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(10, ChronoUnit.MINUTES);
        // Every report goes to one proxy: the service of its first row's key (echo when it has none).
        List<String[]> bodies = new ArrayList<>();
        List<Report> stream = new ArrayList<>(generated);
        for (int i = 0; i < stream.size(); i++) {
            Report report = stream.get(i);
            String service = report.rows().isEmpty() ? "echo" : KEYS.get(report.rows().getFirst().key())[0];
            List<Row> own = report.rows().stream().filter(r -> KEYS.get(r.key())[0].equals(service)).toList();
            stream.set(i, new Report(report.minute(), own));
            Instant start = base.plus(report.minute(), ChronoUnit.MINUTES).plusSeconds(10L * (i % 6));
            UsageReports json = new UsageReports(1000 + i, start, start.plusSeconds(10));
            for (Row row : own) {
                String[] k = KEYS.get(row.key());
                json.route(k[1], k[2], k[3], k[4].isEmpty() ? null : k[4], row.ok(), row.failed(),
                        row.latencyMicros().stream().mapToLong(Integer::longValue).toArray());
            }
            bodies.add(new String[]{tokens.get(service), json.toString(), service});
        }

        // Each replica gets the whole stream, shuffled its own way, with some reports sent twice.
        Random random = new Random(shuffleSeed);
        List<CompletableFuture<Void>> deliveries = new ArrayList<>();
        for (Api replica : List.of(first, second)) {
            List<String[]> order = new ArrayList<>(bodies);
            for (int i = 0; i < bodies.size() / 2 + 1; i++) order.add(bodies.get(random.nextInt(bodies.size())));
            Collections.shuffle(order, random);
            // Three lanes per replica at once, so one replica's group commits hold several reports, duplicates too.
            for (int lane = 0; lane < 3; lane++) {
                int first = lane;
                deliveries.add(CompletableFuture.runAsync(() -> {
                    for (int i = first; i < order.size(); i += 3) {
                        assertThat(replica.post("/v1/fleet/usage", order.get(i)[0], order.get(i)[1]).status()).isEqualTo(200);
                    }
                }, LANES));
            }
        }
        CompletableFuture.allOf(deliveries.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        // What the deduplicated stream adds up to.
        Map<String, long[]> expectedCounts = new TreeMap<>();
        Map<String, Histogram> expectedLatency = new TreeMap<>();
        long expectedRequests = 0;
        for (Report report : stream) {
            for (Row row : report.rows()) {
                String[] k = KEYS.get(row.key());
                String bucket = String.join("|", k[0], k[1], k[2], k[3], k[4], base.plus(report.minute(), ChronoUnit.MINUTES).toString());
                long[] counts = expectedCounts.computeIfAbsent(bucket, b -> new long[3]);
                counts[0] += row.ok();
                counts[1] += row.failed();
                counts[2] += 100L * (row.ok() + row.failed());
                expectedRequests += row.ok() + row.failed();
                Histogram latency = expectedLatency.computeIfAbsent(bucket, b -> autoResizing());
                row.latencyMicros().forEach(latency::recordValue);
            }
        }

        // Buckets are folded behind ingestion, by both replicas at once; a reader of the API catches up first.
        CompletableFuture.allOf(CompletableFuture.runAsync(() ->
                        assertThat(first.get("/v1/meshes/shop/metrics/summary", key).status()).isEqualTo(200), LANES),
                CompletableFuture.runAsync(() ->
                        assertThat(second.get("/v1/meshes/shop/metrics/summary", key).status()).isEqualTo(200), LANES))
                .get(60, TimeUnit.SECONDS);
        Map<String, long[]> storedCounts = new TreeMap<>();
        Map<String, Histogram> storedLatency = new TreeMap<>();
        long storedRequests;
        long ledger;
        try (Connection db = postgres.getPostgresDatabase().getConnection()) {
            try (PreparedStatement query = db.prepareStatement("""
                    SELECT service, direction, rule, upstream, caller, bucket, requests_2xx, requests_5xx, bytes_out, latency
                    FROM metric_minutes WHERE tenant_id = ?""")) {
                query.setString(1, tenantId);
                try (ResultSet rs = query.executeQuery()) {
                    while (rs.next()) {
                        String bucket = String.join("|", rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                rs.getTimestamp(6).toInstant().toString());
                        storedCounts.put(bucket, new long[]{rs.getLong(7), rs.getLong(8), rs.getLong(9)});
                        storedLatency.put(bucket, Histogram.decodeFromByteBuffer(ByteBuffer.wrap(rs.getBytes(10)), 0));
                    }
                }
            }
            storedRequests = single(db, "SELECT coalesce(sum(requests), 0) FROM usage_minutes WHERE tenant_id = ?", tenantId);
            ledger = single(db, "SELECT count(*) FROM usage_reports WHERE tenant_id = ?", tenantId);
        }
        assertThat(ledger).isEqualTo(stream.size());
        assertThat(storedRequests).isEqualTo(expectedRequests);
        assertThat(storedCounts.keySet()).isEqualTo(expectedCounts.keySet());
        expectedCounts.forEach((bucket, counts) -> assertThat(storedCounts.get(bucket)).as(bucket).containsExactly(counts));
        expectedLatency.forEach((bucket, latency) -> assertThat(recorded(storedLatency.get(bucket))).as(bucket).isEqualTo(recorded(latency)));

        // The API answers the same totals from either replica.
        String query = "/v1/meshes/shop/metrics?service=echo&from=" + base + "&to=" + base.plus(3, ChronoUnit.MINUTES);
        JsonNode a = first.get(query, key).json().get("total");
        JsonNode b = second.get(query, key).json().get("total");
        assertThat(a).isEqualTo(b);
        long inbound = expectedCounts.entrySet().stream().filter(e -> e.getKey().startsWith("echo|inbound"))
                .mapToLong(e -> e.getValue()[0] + e.getValue()[1]).sum();
        assertThat(a.get("requests").asLong()).isEqualTo(inbound);
    }

    private static Histogram autoResizing() {
        Histogram histogram = new Histogram(2);
        histogram.setAutoResize(true);
        return histogram;
    }

    /** A histogram as the (value, count) pairs it recorded: equal whatever order it was merged in. */
    private static List<String> recorded(Histogram histogram) {
        List<String> values = new ArrayList<>();
        for (HistogramIterationValue v : histogram.recordedValues()) values.add(v.getValueIteratedTo() + "x" + v.getCountAtValueIteratedTo());
        return values;
    }

    private static long single(Connection db, String sql, String tenantId) throws Exception {
        try (PreparedStatement query = db.prepareStatement(sql)) {
            query.setString(1, tenantId);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String register(String key, String service) throws Exception {
        String token = first.post("/v1/meshes/shop/join-tokens", key, "{\"service\": \"" + service + "\", \"version\": \"v1\"}")
                .json().get("token").asString();
        Api.Response registered = second.post("/v1/fleet/register", null, "{\"joinToken\": " + Api.JSON.writeValueAsString(token)
                + ", \"csr\": " + Api.JSON.writeValueAsString(ProxyKey.generate().csr()) + "}");
        assertThat(registered.status()).isEqualTo(201);
        return registered.json().get("token").asString();
    }
}
