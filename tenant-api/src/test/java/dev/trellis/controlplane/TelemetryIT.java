package dev.trellis.controlplane;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Usage reports through the real API into the real PostgreSQL and back out as golden metrics: counted
 * once however often they are sent, percentiles of the merged histograms, the snapshot change that a
 * route write caused marked with its audit event, the proxies list, the Prometheus exposition and the
 * dashboards that query it, and the walls between tenants.
 */
@Timeout(60)
class TelemetryIT extends ControlPlaneIT {
    private static final String WEB = "spiffe://x.trellis/mesh/shop/service/web";

    @Test
    void reportsBecomeGoldenMetricsCountedOnceAndARouteFlipIsMarkedWithItsAuditEvent() {
        String key = newTenant();
        declareShop(key);
        String echo = register(key, "echo").get("token").asString();
        String web = register(key, "web").get("token").asString();
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(3, ChronoUnit.MINUTES);

        // 100 requests served by echo: 10 failed, 10 slow (200 ms), the rest 2 ms.
        UsageReports served = new UsageReports(1, minute, minute.plusSeconds(10))
                .route("inbound", "inbound", "echo", WEB, 90, 10, UsageReports.latencies(100, 0.1, 2_000, 200_000));
        Api.Response first = api.post("/v1/fleet/usage", echo, served.toString());
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().get("duplicate").asBoolean()).isFalse();
        // A resend (a timeout, another replica) changes nothing.
        Api.Response again = api.post("/v1/fleet/usage", echo, served.toString());
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("duplicate").asBoolean()).isTrue();
        // An earlier report arriving later is still counted, into its own minute.
        assertThat(api.post("/v1/fleet/usage", echo, new UsageReports(0, minute.minusSeconds(60), minute.minusSeconds(50))
                .route("inbound", "inbound", "echo", null, 30, 0, UsageReports.latencies(30, 0, 1_000, 1_000)).toString()).status())
                .isEqualTo(200);
        assertThat(api.post("/v1/fleet/usage", web, new UsageReports(1, minute, minute.plusSeconds(10))
                .route("outbound", "echo-canary/0", "echo", null, 50, 0, UsageReports.latencies(50, 0, 3_000, 3_000)).toString()).status())
                .isEqualTo(200);
        // Billing meters the same reports, in the same transaction, once each: 3 windows of 10 s, 180 requests.
        tools.jackson.databind.JsonNode billed = api.get("/v1/billing/usage?from=" + minute.minus(1, ChronoUnit.HOURS)
                + "&to=" + minute.plus(1, ChronoUnit.HOURS), key).json().get("total");
        assertThat(billed.get("requests").asLong()).isEqualTo(180);
        assertThat(billed.get("proxySeconds").asLong()).isEqualTo(30);

        Instant flipped = Instant.now();
        assertThat(api.put("/v1/meshes/shop/routes/echo-canary", key, canary(0, 100)).status()).isEqualTo(200);

        JsonNode series = api.get("/v1/meshes/shop/metrics?service=echo&from=" + minute + "&to=" + minute.plus(2, ChronoUnit.MINUTES)
                + "&step=1m", key).json();
        JsonNode total = series.get("total");
        assertThat(total.get("requests").asLong()).isEqualTo(100);
        assertThat(total.get("successRate").asDouble()).isEqualTo(0.9);
        // HdrHistogram at two significant digits: within 1% of what was recorded.
        assertThat(total.get("p50Ms").asDouble()).isCloseTo(2.0, within(0.02));
        assertThat(total.get("p99Ms").asDouble()).isCloseTo(200.0, within(2.0));
        assertThat(total.get("bytesOut").asLong()).isEqualTo(10_000);
        List<JsonNode> points = series.get("points").valueStream().toList();
        assertThat(points).hasSize(2);
        assertThat(points.get(0).get("time").asString()).isEqualTo(minute.toString());
        assertThat(points.get(0).get("metrics").get("rps").asDouble()).isCloseTo(100 / 60.0, within(1e-9));
        assertThat(points.get(1).get("metrics").get("requests").asLong()).isZero();
        assertThat(points.get(1).get("metrics").get("successRate").isNull()).isTrue();

        JsonNode route = api.get("/v1/meshes/shop/metrics?service=echo&route=echo-canary&from=" + minute
                + "&to=" + Instant.now().plus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MINUTES), key).json();
        assertThat(route.get("total").get("requests").asLong()).isEqualTo(50);
        assertThat(route.get("total").get("p50Ms").asDouble()).isCloseTo(3.0, within(0.03));
        List<JsonNode> changes = route.get("versionChanges").valueStream()
                .filter(c -> c.get("service").asString().equals("web") && !Instant.parse(c.get("time").asString()).isBefore(flipped.truncatedTo(ChronoUnit.MILLIS)))
                .toList();
        assertThat(changes).hasSize(1);
        JsonNode audit = changes.getFirst().get("auditEvent");
        assertThat(audit.get("action").asString()).isEqualTo("route.put");
        assertThat(audit.get("resource").asString()).contains("echo-canary");
        JsonNode event = api.get("/v1/audit-events", key).json().get("items").valueStream()
                .filter(e -> e.get("id").asString().equals(audit.get("id").asString())).findFirst().orElseThrow();
        assertThat(event.get("after").toString()).contains("\"weight\":100");
        assertThat(changes.getFirst().get("version").asString())
                .isEqualTo(api.get("/v1/meshes/shop/snapshots/web", key).header("ETag").replace("\"", ""));
    }

    @Test
    void eachTenantSeesOnlyItsOwnProxiesReportsAndAViewerMayRead() {
        String a = newTenant();
        String b = newTenant();
        String stranger = newTenant();
        declareShop(a);
        declareShop(b);
        String proxyOfA = register(a, "echo").get("token").asString();
        String proxyOfB = register(b, "echo").get("token").asString();
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(2, ChronoUnit.MINUTES);
        assertThat(api.post("/v1/fleet/usage", proxyOfA, new UsageReports(1, minute, minute.plusSeconds(10))
                .route("inbound", "inbound", "echo", null, 7, 0, UsageReports.latencies(7, 0, 1_000, 1_000)).toString()).status()).isEqualTo(200);
        // B's proxy sends the same sequence: its own tenant's row, no collision with A's, no effect on A.
        assertThat(api.post("/v1/fleet/usage", proxyOfB, new UsageReports(1, minute, minute.plusSeconds(10))
                .route("inbound", "inbound", "echo", null, 3, 0, UsageReports.latencies(3, 0, 1_000, 1_000)).toString()).json()
                .get("duplicate").asBoolean()).isFalse();

        String query = "/v1/meshes/shop/metrics?service=echo&from=" + minute + "&to=" + minute.plus(1, ChronoUnit.MINUTES);
        assertThat(api.get(query, a).json().get("total").get("requests").asLong()).isEqualTo(7);
        assertThat(api.get(query, b).json().get("total").get("requests").asLong()).isEqualTo(3);
        String viewer = newKey(a, "viewer");
        assertThat(api.get(query, viewer).json().get("total").get("requests").asLong()).isEqualTo(7);
        assertThat(api.get("/v1/meshes/shop/metrics/summary", viewer).status()).isEqualTo(200);
        // A tenant without that mesh: not found, never forbidden.
        assertThat(api.get(query, stranger).status()).isEqualTo(404);
        assertThat(api.get("/v1/meshes/shop/metrics/summary", stranger).status()).isEqualTo(404);
        assertThat(api.get("/v1/meshes/shop/proxies", stranger).status()).isEqualTo(404);
        // People's keys do not write usage; proxy tokens do not read metrics.
        assertThat(api.post("/v1/fleet/usage", a, new UsageReports(2, minute, minute.plusSeconds(10)).toString()).status()).isEqualTo(401);
        assertThat(api.get(query, proxyOfA).status()).isEqualTo(401);
        assertThat(api.get("/v1/metrics/prometheus", proxyOfA).status()).isEqualTo(401);
        assertThat(api.get("/v1/metrics/prometheus", null).status()).isEqualTo(401);
    }

    @Test
    void badQueryParametersAndBadReportsAreProblemsListingEveryViolation() {
        String key = newTenant();
        declareShop(key);
        String proxy = register(key, "echo").get("token").asString();

        Api.Response bad = api.get("/v1/meshes/shop/metrics?from=yesterday&step=90s&bogus=1", key);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.header("Content-Type")).startsWith("application/problem+json");
        assertThat(fields(bad)).containsExactlyInAnyOrder("bogus", "service", "from", "step");
        Api.Response reversed = api.get("/v1/meshes/shop/metrics?service=echo&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", key);
        assertThat(fields(reversed)).containsExactly("to");
        Api.Response tooMany = api.get("/v1/meshes/shop/metrics?service=echo&from=2026-01-01T00:00:00Z&to=2026-01-10T00:00:00Z&step=1m", key);
        assertThat(fields(tooMany)).containsExactly("step");
        assertThat(fields(api.get("/v1/meshes/shop/metrics/summary?window=1h", key))).containsExactly("window");

        Instant now = Instant.now();
        String report = """
                {"sequence": -1, "windowStart": "%s", "windowEnd": "%s", "uptimeSeconds": 1, "proxyId": "someone-else", "extra": 1,
                 "routes": [{"direction": "sideways", "rule": "r/0", "upstream": "echo", "requests": {"6xx": 1},
                             "bytesIn": 0, "bytesOut": -5, "latencyMicros": "not a histogram", "grpc": {"OK": 1, "NOPE": 2, "UNAVAILABLE": -1}}]}"""
                .formatted(now, now.minusSeconds(10));
        Api.Response refused = api.post("/v1/fleet/usage", proxy, report);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(fields(refused)).containsExactlyInAnyOrder("sequence", "windowEnd", "proxyId", "extra", "routes[0].direction",
                "routes[0].requests.6xx", "routes[0].bytesOut", "routes[0].latencyMicros", "routes[0].grpc.NOPE", "routes[0].grpc.UNAVAILABLE");
        assertThat(refused.body()).doesNotContain("Exception");
        Api.Response future = api.post("/v1/fleet/usage", proxy, new UsageReports(5, now.plusSeconds(3600), now.plusSeconds(3610)).toString());
        assertThat(fields(future)).containsExactly("windowEnd");
        // Served outside Spring MVC and Security: the same answers as every other fleet path.
        Api.Response malformed = api.post("/v1/fleet/usage", proxy, "{\"sequence\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.header("Content-Type")).startsWith("application/problem+json");
        assertThat(fields(malformed)).containsExactly("");
        assertThat(api.post("/v1/fleet/usage", proxy, "").status()).isEqualTo(400);
        Api.Response read = api.get("/v1/fleet/usage", proxy);
        assertThat(read.status()).isEqualTo(405);
        assertThat(read.header("Allow")).isEqualTo("POST");
        Api.Response anonymous = api.post("/v1/fleet/usage", null, new UsageReports(6, now.minusSeconds(10), now).toString());
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.json().get("detail").asString()).isEqualTo("a valid proxy token is required");
        assertThat(api.post("/v1/fleet/usage", "trp_x.y", new UsageReports(7, now.minusSeconds(10), now).toString()).status())
                .isEqualTo(401);
    }

    @Test
    void grpcCallsAreCountedByStatusAndServerFailuresLowerTheSuccessRate() {
        String key = newTenant();
        declareShop(key);
        String echo = register(key, "echo").get("token").asString();
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(2, ChronoUnit.MINUTES);
        // 100 gRPC calls answered HTTP 200: 80 OK, 5 NOT_FOUND (the caller's mistake), 15 UNAVAILABLE (the server's);
        // and 10 answered 503, counted as 5xx only. Two reports, so the bucket's counts are added in the database.
        assertThat(api.post("/v1/fleet/usage", echo, new UsageReports(1, minute, minute.plusSeconds(10))
                .route("inbound", "inbound", "echo", null, 60, 10, UsageReports.latencies(70, 0, 1_000, 1_000))
                .grpc("OK", 50, "NOT_FOUND", 5, "UNAVAILABLE", 5).toString()).status()).isEqualTo(200);
        assertThat(api.post("/v1/fleet/usage", echo, new UsageReports(2, minute.plusSeconds(10), minute.plusSeconds(20))
                .route("inbound", "inbound", "echo", null, 40, 0, UsageReports.latencies(40, 0, 1_000, 1_000))
                .grpc("OK", 30, "UNAVAILABLE", 10).toString()).status()).isEqualTo(200);

        JsonNode total = api.get("/v1/meshes/shop/metrics?service=echo&from=" + minute.minus(1, ChronoUnit.HOURS)
                + "&to=" + minute.plus(1, ChronoUnit.HOURS), key).json().get("total");
        assertThat(total.get("requests").asLong()).isEqualTo(110);
        assertThat(total.get("grpcStatuses").get("OK").asLong()).isEqualTo(80);
        assertThat(total.get("grpcStatuses").get("NOT_FOUND").asLong()).isEqualTo(5);
        assertThat(total.get("grpcStatuses").get("UNAVAILABLE").asLong()).isEqualTo(15);
        assertThat(total.get("grpcStatuses").propertyNames()).hasSize(3);
        // Failures: the 10 answered 503 and the 15 UNAVAILABLE; NOT_FOUND is an answer, like a 404.
        assertThat(total.get("successRate").asDouble()).isCloseTo(85.0 / 110, org.assertj.core.data.Offset.offset(1e-9));

        JsonNode summary = api.get("/v1/meshes/shop/metrics/summary", key).json();
        JsonNode row = summary.get("items").valueStream().filter(i -> i.get("service").asString().equals("echo")).findFirst().orElseThrow();
        assertThat(row.get("lastHour").get("grpcStatuses").get("UNAVAILABLE").asLong()).isEqualTo(15);

        // In hour steps, the same counts.
        JsonNode hourly = api.get("/v1/meshes/shop/metrics?service=echo&step=1h&from=" + minute.truncatedTo(ChronoUnit.HOURS)
                + "&to=" + minute.truncatedTo(ChronoUnit.HOURS).plus(2, ChronoUnit.HOURS), key).json().get("total");
        assertThat(hourly.get("grpcStatuses").get("OK").asLong()).isEqualTo(80);
    }

    @Test
    void theProxiesListShowsEachProxysLastReportAndRequestRate() {
        String key = newTenant();
        declareShop(key);
        JsonNode registered = register(key, "echo");
        register(key, "web");
        Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        assertThat(api.post("/v1/fleet/usage", registered.get("token").asString(), new UsageReports(9, end.minusSeconds(10), end)
                .route("inbound", "inbound", "echo", null, 40, 10, UsageReports.latencies(50, 0, 1_000, 1_000)).toString()).status())
                .isEqualTo(200);

        List<JsonNode> proxies = api.get("/v1/meshes/shop/proxies", key).json().get("items").valueStream().toList();
        JsonNode echo = proxies.stream().filter(p -> p.get("service").asString().equals("echo")).findFirst().orElseThrow();
        assertThat(echo.get("requestRate").asDouble()).isEqualTo(5.0);
        assertThat(Instant.parse(echo.get("lastReportAt").asString())).isAfter(end.minusSeconds(5));
        JsonNode web = proxies.stream().filter(p -> p.get("service").asString().equals("web")).findFirst().orElseThrow();
        assertThat(web.get("lastReportAt").isNull()).isTrue();
        assertThat(web.get("requestRate").isNull()).isTrue();

        JsonNode summary = api.get("/v1/meshes/shop/metrics/summary", key).json();
        JsonNode row = summary.get("items").valueStream().filter(i -> i.get("service").asString().equals("echo")).findFirst().orElseThrow();
        assertThat(row.get("meshedProxies").asLong()).isEqualTo(1);
    }

    @Test
    void thePrometheusEndpointExposesEveryMetricTheDashboardsQuery() throws Exception {
        String key = newTenant();
        declareShop(key);
        String echo = register(key, "echo").get("token").asString();
        String web = register(key, "web").get("token").asString();
        // Stay clear of a minute boundary: the exposition covers the last complete minute.
        if (Instant.now().atZone(java.time.ZoneOffset.UTC).getSecond() > 50) Thread.sleep(11_000);
        Instant last = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(1, ChronoUnit.MINUTES);
        assertThat(api.post("/v1/fleet/usage", echo, new UsageReports(1, last, last.plusSeconds(10))
                .route("inbound", "inbound", "echo", null, 54, 6, UsageReports.latencies(60, 0, 4_000, 4_000))
                .grpc("OK", 48, "NOT_FOUND", 6).toString()).status()).isEqualTo(200);
        assertThat(api.post("/v1/fleet/usage", web, new UsageReports(1, last, last.plusSeconds(10))
                .route("outbound", "echo-canary/0", "echo", null, 30, 0, UsageReports.latencies(30, 0, 4_000, 4_000))
                .grpc("OK", 27, "UNAVAILABLE", 3).toString()).status())
                .isEqualTo(200);
        // An idle window just now: the proxy counts as meshed (it reported in the last minute).
        Instant now = Instant.now();
        assertThat(api.post("/v1/fleet/usage", echo, new UsageReports(2, now.minusSeconds(5), now).toString()).status()).isEqualTo(200);

        Api.Response scraped = api.get("/v1/metrics/prometheus", newKey(key, "viewer"));
        assertThat(scraped.status()).isEqualTo(200);
        assertThat(scraped.header("Content-Type")).startsWith("text/plain");
        String text = scraped.body();
        assertThat(text).contains("trellis_service_requests_per_second{mesh=\"shop\",service=\"echo\"} 1.0\n");
        assertThat(text).contains("trellis_service_success_ratio{mesh=\"shop\",service=\"echo\"} 0.9\n");
        assertThat(text).contains("trellis_route_requests_per_second{mesh=\"shop\",route=\"echo-canary\",service=\"echo\"} 0.5\n");
        // By grpc-status: NOT_FOUND is an answer (the ratio stays 0.9); UNAVAILABLE is the server's failure (0.9 of the route's).
        assertThat(text).contains("trellis_service_grpc_responses_per_second{mesh=\"shop\",service=\"echo\",grpc_status=\"OK\"} 0.8\n");
        assertThat(text).contains("trellis_service_grpc_responses_per_second{mesh=\"shop\",service=\"echo\",grpc_status=\"NOT_FOUND\"} 0.1\n");
        assertThat(text).contains("trellis_route_grpc_responses_per_second{mesh=\"shop\",route=\"echo-canary\",service=\"echo\",grpc_status=\"UNAVAILABLE\"} 0.05\n");
        assertThat(text).contains("trellis_route_success_ratio{mesh=\"shop\",route=\"echo-canary\",service=\"echo\"} 0.9\n");
        assertThat(text).contains("trellis_service_meshed_proxies{mesh=\"shop\",service=\"echo\"} 1.0\n");
        assertThat(text).containsPattern("trellis_service_latency_seconds\\{mesh=\"shop\",service=\"echo\",quantile=\"0.99\"} 0.004");

        Set<String> exposed = new TreeSet<>();
        Matcher sample = Pattern.compile("(?m)^(trellis_[a-z_]+)\\{").matcher(text);
        while (sample.find()) exposed.add(sample.group(1));
        List<Path> dashboards;
        try (Stream<Path> files = Files.list(Path.of("../docs/dashboards"))) {
            dashboards = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(dashboards).isNotEmpty();
        List<String> queried = new ArrayList<>();
        for (Path dashboard : dashboards) {
            JsonNode json = Api.JSON.readTree(Files.readAllBytes(dashboard));
            List<JsonNode> exprs = json.findValues("expr");
            assertThat(exprs).as(dashboard + " has queries").isNotEmpty();
            for (JsonNode expr : exprs) {
                Matcher names = Pattern.compile("trellis_[a-z_]+").matcher(expr.asString());
                boolean any = false;
                while (names.find()) {
                    any = true;
                    queried.add(names.group());
                }
                assertThat(any).as(dashboard + ": " + expr.asString() + " names a Trellis metric").isTrue();
            }
        }
        assertThat(exposed).containsAll(queried);
    }

    private static List<String> fields(Api.Response problem) {
        assertThat(problem.status()).isEqualTo(400);
        return problem.json().get("violations").valueStream().map(v -> v.get("field").asString()).toList();
    }

    private JsonNode register(String key, String service) {
        String token = api.post("/v1/meshes/shop/join-tokens", key, "{\"service\": \"" + service + "\", \"version\": \"v1\"}")
                .json().get("token").asString();
        String csr;
        try {
            csr = ProxyKey.generate().csr();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Api.Response registered = api.post("/v1/fleet/register", null, "{\"joinToken\": " + Api.JSON.writeValueAsString(token)
                + ", \"csr\": " + Api.JSON.writeValueAsString(csr) + "}");
        assertThat(registered.status()).isEqualTo(201);
        return registered.json();
    }
}
