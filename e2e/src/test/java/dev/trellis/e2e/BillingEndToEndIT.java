package dev.trellis.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A month end with real processes: the control plane jar, three proxy jars serving web → echo traffic
 * and reporting usage every 2 s, the tenant moved to the team plan by the operator just before. The
 * proxies stop (their last report at shutdown), the operator closes the month for the instant its grace
 * ends ({@code asOf}, the month has not ended yet), and the finalised invoice must be the one this test
 * computes on its own: the requests the proxies counted (their own {@code /metrics}, a second count of
 * the same answers), the proxy time their processes lived (bounded by the test's clock), the plan's
 * prices from {@code GET /v1/plans}, the documented proration and rounding, and the content hash over
 * the documented canonical form. A proxy that reports after the close adds late reports, not lines.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class BillingEndToEndIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration GRACE = Duration.ofHours(48);
    private final ShopMesh mesh = new ShopMesh();
    private ControlPlaneApi operator;

    @BeforeAll
    void start() throws InterruptedException {
        mesh.startControlPlane();
        mesh.declare();
        operator = mesh.api.as(ShopMesh.OPERATOR_KEY);
    }

    @AfterAll
    void stop() throws InterruptedException {
        mesh.close();
    }

    @Test
    void theClosedMonthsInvoiceIsTheOneComputedFromWhatTheProxiesServed() throws Exception {
        String tenant = mesh.api.get("/v1/tenant").json().get("id").asString();
        Instant switchAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        YearMonth month = YearMonth.from(switchAt.atOffset(ZoneOffset.UTC));
        ControlPlaneApi.Answer moved = operator.put("/v1/operator/tenants/" + tenant + "/plan",
                "{\"plan\": \"team\", \"effectiveFrom\": \"" + switchAt + "\"}");
        assertThat(moved.status()).as(moved.body()).isEqualTo(200);

        long livedUpper = 0;
        long livedLower = 0;
        Map<String, Instant> launched = new java.util.HashMap<>();
        Map<String, Instant> ready = new java.util.HashMap<>();
        for (ShopMesh.Workload workload : mesh.workloads.values()) {
            launched.put(workload.name(), Instant.now());
            mesh.startProxy(workload, mesh.joinToken(workload), Map.of("TRELLIS_USAGE_INTERVAL", "2s"));
            ready.put(workload.name(), Instant.now());
        }
        mesh.awaitTraffic(Duration.ofSeconds(90));
        assertThat(mesh.callEcho(200)).allMatch(answer -> answer.startsWith("echo "));

        // What the proxies counted, by their own Prometheus counters: each answer once per proxy it passed.
        long requests = 0;
        for (ShopMesh.Workload workload : mesh.workloads.values()) requests += servedByMetrics(workload);
        assertThat(requests).as("web's outbound and echo's inbound both count each call").isGreaterThanOrEqualTo(2 * 220);
        for (ShopMesh.Workload workload : mesh.workloads.values()) {
            Instant stopping = Instant.now();
            workload.proxy.stop();
            Instant stopped = Instant.now();
            livedUpper += Duration.between(launched.get(workload.name()), stopped).toMillis();
            livedLower += Duration.between(ready.get(workload.name()), stopping).toMillis();
        }

        Instant graceEnd = month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).plus(GRACE);
        String close = "/v1/operator/billing/periods/" + month + "/close";
        assertThat(operator.post(close, null).status()).as("the month is open by the clock").isEqualTo(409);
        assertThat(operator.post(close + "?asOf=" + graceEnd.minusSeconds(1), null).status()).isEqualTo(409);
        ControlPlaneApi.Answer closed = operator.post(close + "?asOf=" + graceEnd, null);
        assertThat(closed.status()).as(closed.body()).isEqualTo(200);
        assertThat(closed.json().get("finalized").asInt()).isEqualTo(1);
        assertThat(operator.post(close + "?asOf=" + graceEnd, null).json().get("finalized").asInt()).isZero();

        String id = "inv-" + month.toString().replace("-", "") + "-" + tenant;
        JsonNode invoice = mesh.api.get("/v1/billing/invoices/" + id).json();
        System.out.println("invoice: " + invoice);
        assertThat(invoice.get("status").asString()).isEqualTo("finalized");
        assertThat(invoice.get("planVersions").valueStream().map(JsonNode::asString).toList()).containsExactly("free@1", "team@1");
        JsonNode teamLine = line(invoice, "team", "endpoint-hours");
        long proxySeconds = teamLine.get("quantity").asLong();
        // Reports count the second boundaries their windows cross: under a second short per proxy run.
        assertThat(proxySeconds).isBetween(livedLower / 1000 - 2L * mesh.workloads.size(), livedUpper / 1000);

        List<Line> expected = expectedLines(month, switchAt, proxySeconds, requests);
        List<Line> actual = invoice.get("lines").valueStream().map(Line::of).toList();
        assertThat(actual).containsExactlyElementsOf(expected);
        long total = expected.stream().mapToLong(Line::amountMinor).sum();
        assertThat(total).as("the team plan's fee for the rest of the month").isPositive();
        assertThat(invoice.get("totalMinor").asLong()).isEqualTo(total);
        assertThat(invoice.get("total").asString()).isEqualTo(java.math.BigDecimal.valueOf(total, 2).toPlainString());
        assertThat(invoice.get("contentHash").asString()).isEqualTo(hash(tenant, month, expected, total));

        // A proxy that reports after the close: its reports are late, counted beside the invoice, which does not change.
        ShopMesh.Workload web = mesh.workloads.get("web-v1");
        mesh.startProxy(web, null, Map.of("TRELLIS_USAGE_INTERVAL", "2s"));
        mesh.callEcho(3);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode after = mesh.api.get("/v1/billing/invoices/" + id).json();
        while (after.get("lateReports").asLong() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            after = mesh.api.get("/v1/billing/invoices/" + id).json();
        }
        web.proxy.stop();
        assertThat(after.get("lateReports").asLong()).isPositive();
        assertThat(after.get("contentHash").asString()).isEqualTo(invoice.get("contentHash").asString());
        assertThat(after.get("lines")).isEqualTo(invoice.get("lines"));
    }

    /** One invoice line as the API gives it, the fields the hash covers. */
    record Line(String meter, String plan, int planVersion, Instant from, Instant to, long quantity, long included,
                long billable, long unitPriceMinor, long per, long amountMinor) {
        static Line of(JsonNode l) {
            return new Line(l.get("meter").asString(), l.get("plan").asString(), l.get("planVersion").asInt(),
                    Instant.parse(l.get("from").asString()), Instant.parse(l.get("to").asString()), l.get("quantity").asLong(),
                    l.get("included").asLong(), l.get("billable").asLong(), l.get("unitPriceMinor").asLong(),
                    l.get("per").asLong(), l.get("amountMinor").asLong());
        }
    }

    /**
     * The invoice as docs/billing.md defines it, computed here: free until the switch (no usage), team
     * after it with all of the usage; allowances prorated and rounded down, each amount rounded half up once.
     */
    private List<Line> expectedLines(YearMonth month, Instant switchAt, long proxySeconds, long requests) {
        Instant start = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        Instant end = month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        long monthSeconds = Duration.between(start, end).toSeconds();
        List<Line> lines = new ArrayList<>();
        lines.addAll(segment(plan("free"), start, switchAt, monthSeconds, 0, 0, 0));
        lines.addAll(segment(plan("team"), switchAt, end, monthSeconds, proxySeconds, requests, 1));
        return lines;
    }

    private static List<Line> segment(JsonNode plan, Instant from, Instant to, long month, long proxySeconds, long requests,
                                      long meshes) {
        String id = plan.get("id").asString();
        int version = plan.get("version").asInt();
        JsonNode prices = plan.get("prices");
        JsonNode included = plan.get("included");
        long covered = Duration.between(from, to).toSeconds();
        long includedSeconds = included.get("endpointHours").asLong() * 3600 * covered / month;
        long includedRequests = included.get("requests").asLong() * covered / month;
        long includedMeshes = included.get("meshes").asLong();
        long billableSeconds = Math.max(0, proxySeconds - includedSeconds);
        long billableRequests = Math.max(0, requests - includedRequests);
        long billableMeshes = Math.max(0, meshes - includedMeshes);
        long base = prices.get("baseMinor").asLong();
        long hour = prices.get("endpointHourMinor").asLong();
        long million = prices.get("millionRequestsMinor").asLong();
        long meshMonth = prices.get("meshMonthMinor").asLong();
        return List.of(
                new Line("base", id, version, from, to, covered, 0, covered, base, month, halfUp(covered, base, month)),
                new Line("endpoint-hours", id, version, from, to, proxySeconds, includedSeconds, billableSeconds, hour, 3600,
                        halfUp(billableSeconds, hour, 3600)),
                new Line("requests", id, version, from, to, requests, includedRequests, billableRequests, million, 1_000_000,
                        halfUp(billableRequests, million, 1_000_000)),
                new Line("meshes", id, version, from, to, meshes, includedMeshes, billableMeshes, meshMonth, month,
                        halfUp(billableMeshes * covered, meshMonth, month)));
    }

    private static long halfUp(long quantity, long price, long per) {
        BigInteger[] qr = BigInteger.valueOf(quantity).multiply(BigInteger.valueOf(price)).divideAndRemainder(BigInteger.valueOf(per));
        return qr[1].shiftLeft(1).compareTo(BigInteger.valueOf(per)) >= 0 ? qr[0].longValueExact() + 1 : qr[0].longValueExact();
    }

    /** The content hash as docs/billing.md ("Invoice lifecycle") defines its canonical form. */
    private static String hash(String tenant, YearMonth month, List<Line> lines, long total) throws NoSuchAlgorithmException {
        StringBuilder text = new StringBuilder("trellis-invoice/1\n" + tenant + "\n" + month + "\nUSD\n");
        for (Line l : lines) {
            text.append(String.join("|", l.meter(), l.plan(), String.valueOf(l.planVersion()), l.from().toString(),
                    l.to().toString(), String.valueOf(l.quantity()), String.valueOf(l.included()), String.valueOf(l.billable()),
                    String.valueOf(l.unitPriceMinor()), String.valueOf(l.per()), String.valueOf(l.amountMinor()))).append('\n');
        }
        text.append(total).append('\n');
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
        return "sha256:" + HexFormat.of().formatHex(digest);
    }

    private JsonNode plan(String id) {
        return mesh.api.get("/v1/plans").json().get("items").valueStream()
                .filter(p -> p.get("id").asString().equals(id)).findFirst().orElseThrow();
    }

    private static JsonNode line(JsonNode invoice, String plan, String meter) {
        return invoice.get("lines").valueStream()
                .filter(l -> l.get("plan").asString().equals(plan) && l.get("meter").asString().equals(meter))
                .findFirst().orElseThrow();
    }

    /** The sum of the proxy's {@code trellis_requests_seconds_count} series: every answer its routes counted. */
    private static long servedByMetrics(ShopMesh.Workload workload) throws IOException, InterruptedException {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + workload.admin + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        long sum = 0;
        for (String row : metrics.split("\n")) {
            if (row.startsWith("trellis_requests_seconds_count{")) {
                sum += (long) Double.parseDouble(row.substring(row.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
