package dev.trellis.controlplane.telemetry;

import dev.trellis.controlplane.access.Caller;
import dev.trellis.controlplane.access.Role;
import dev.trellis.controlplane.database.TenantTransactions;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /v1/metrics/prometheus}: the caller's tenant's golden metrics in the Prometheus text
 * exposition format, for users who scrape into their own Prometheus (an API key as bearer token,
 * viewer or above). Gauges over the last complete minute, per mesh and service (what its proxies
 * served) and per mesh, service and route (what callers saw through the route); the names are listed
 * in {@link #METRICS} and used by {@code docs/dashboards/}.
 */
@RestController
class PrometheusController {
    static final List<String> METRICS = List.of("trellis_service_requests_per_second", "trellis_service_success_ratio",
            "trellis_service_latency_seconds", "trellis_service_bytes_per_second", "trellis_service_meshed_proxies",
            "trellis_route_requests_per_second", "trellis_route_success_ratio", "trellis_route_latency_seconds",
            "trellis_route_retries_per_second", "trellis_route_breaker_rejections_per_second",
            "trellis_service_grpc_responses_per_second", "trellis_route_grpc_responses_per_second");
    private static final MediaType EXPOSITION = MediaType.parseMediaType("text/plain; version=0.0.4; charset=utf-8");

    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final UsageFolding folding;

    PrometheusController(TenantTransactions transactions, JdbcTemplate jdbc, UsageFolding folding) {
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.folding = folding;
    }

    private record Labelled(Map<String, String> labels, List<MetricBuckets.Row> rows) {
    }

    /** A group's golden metrics over the minute, computed once for every metric family that shows them. */
    private record Series(Map<String, String> labels, GoldenMetrics metrics) {
        static List<Series> of(Map<String, Labelled> groups) {
            return groups.values().stream().map(g -> new Series(g.labels(), GoldenMetrics.of(g.rows(), 60))).toList();
        }
    }

    @GetMapping("/v1/metrics/prometheus")
    ResponseEntity<String> scrape(@AuthenticationPrincipal Caller caller) {
        caller.require(Role.VIEWER);
        Instant end = TenantTransactions.now().truncatedTo(ChronoUnit.MINUTES);
        Instant start = end.minus(Duration.ofMinutes(1));
        folding.catchUp(caller.tenantId());
        return transactions.inTenant(caller.tenantId(), () -> {
            Map<String, Labelled> services = new TreeMap<>();
            Map<String, Labelled> routes = new TreeMap<>();
            jdbc.query("""
                            SELECT mesh, %s
                            FROM metric_minutes WHERE tenant_id = current_setting('trellis.tenant_id') AND bucket >= ? AND bucket < ?"""
                            .formatted(MetricBuckets.COLUMNS),
                    rs -> {
                        MetricBuckets.Row row = MetricBuckets.Row.read(rs, 2);
                        String mesh = rs.getString(1);
                        if (row.direction().equals("inbound")) {
                            group(services, Map.of("mesh", mesh, "service", row.service()), row);
                        } else {
                            group(routes, Map.of("mesh", mesh, "service", row.upstream(), "route", row.route()), row);
                        }
                    }, Timestamp.from(start), Timestamp.from(end));
            Map<String, Long> proxies = new TreeMap<>();
            jdbc.query("""
                            SELECT mesh, service, count(DISTINCT proxy_id) FROM usage_reports
                            WHERE tenant_id = current_setting('trellis.tenant_id') AND window_end >= ? GROUP BY mesh, service""",
                    rs -> {
                        proxies.put(rs.getString(1) + "\u0000" + rs.getString(2), rs.getLong(3));
                    }, Timestamp.from(TenantTransactions.now().minus(Duration.ofMinutes(1))));
            List<Series> serviceSeries = Series.of(services);
            List<Series> routeSeries = Series.of(routes);
            StringBuilder out = new StringBuilder();
            header(out, "trellis_service_requests_per_second", "Requests per second a service's proxies served, last complete minute");
            serviceSeries.forEach(s -> line(out, "trellis_service_requests_per_second", s.labels(), null, s.metrics().rps()));
            header(out, "trellis_service_success_ratio", "Share of a service's answers that were not 5xx (nor a gRPC server failure), last complete minute");
            serviceSeries.forEach(s -> line(out, "trellis_service_success_ratio", s.labels(), null, s.metrics().successRate()));
            header(out, "trellis_service_latency_seconds", "Latency percentiles of a service's answers, last complete minute");
            serviceSeries.forEach(s -> quantiles(out, "trellis_service_latency_seconds", s.labels(), s.metrics()));
            header(out, "trellis_service_bytes_per_second", "Bytes per second in and out of a service's proxies, last complete minute");
            serviceSeries.forEach(s -> {
                line(out, "trellis_service_bytes_per_second", s.labels(), "direction=\"in\"", s.metrics().bytesIn() / 60.0);
                line(out, "trellis_service_bytes_per_second", s.labels(), "direction=\"out\"", s.metrics().bytesOut() / 60.0);
            });
            header(out, "trellis_service_meshed_proxies", "Proxies of a service that reported in the last minute");
            proxies.forEach((key, count) -> {
                String[] parts = key.split("\u0000", 2);
                line(out, "trellis_service_meshed_proxies", Map.of("mesh", parts[0], "service", parts[1]), null, (double) count);
            });
            header(out, "trellis_route_requests_per_second", "Requests per second through a route, as its callers' proxies saw them");
            routeSeries.forEach(r -> line(out, "trellis_route_requests_per_second", r.labels(), null, r.metrics().rps()));
            header(out, "trellis_route_success_ratio", "Share of a route's answers that were not 5xx (nor a gRPC server failure), last complete minute");
            routeSeries.forEach(r -> line(out, "trellis_route_success_ratio", r.labels(), null, r.metrics().successRate()));
            header(out, "trellis_route_latency_seconds", "Latency percentiles through a route, last complete minute");
            routeSeries.forEach(r -> quantiles(out, "trellis_route_latency_seconds", r.labels(), r.metrics()));
            header(out, "trellis_route_retries_per_second", "Retries per second on a route, last complete minute");
            routeSeries.forEach(r -> line(out, "trellis_route_retries_per_second", r.labels(), null, r.metrics().retries() / 60.0));
            header(out, "trellis_route_breaker_rejections_per_second", "Requests a circuit breaker refused on a route, per second");
            routeSeries.forEach(r -> line(out, "trellis_route_breaker_rejections_per_second", r.labels(), null,
                    r.metrics().breakerRejections() / 60.0));
            header(out, "trellis_service_grpc_responses_per_second", "gRPC calls per second a service's proxies answered, by grpc-status");
            serviceSeries.forEach(s -> grpcStatuses(out, "trellis_service_grpc_responses_per_second", s));
            header(out, "trellis_route_grpc_responses_per_second", "gRPC calls per second through a route, by grpc-status");
            routeSeries.forEach(r -> grpcStatuses(out, "trellis_route_grpc_responses_per_second", r));
            return ResponseEntity.ok().contentType(EXPOSITION).body(out.toString());
        });
    }

    private static void group(Map<String, Labelled> groups, Map<String, String> labels, MetricBuckets.Row row) {
        String key = new TreeMap<>(labels).toString();
        groups.computeIfAbsent(key, k -> new Labelled(new TreeMap<>(labels), new ArrayList<>())).rows().add(row);
    }

    private static void header(StringBuilder out, String name, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
    }

    /** One sample per grpc-status the group's calls ended with (none for a group without gRPC). */
    private static void grpcStatuses(StringBuilder out, String name, Series series) {
        series.metrics().grpcStatuses().forEach((status, calls) ->
                line(out, name, series.labels(), "grpc_status=\"" + escape(status) + "\"", calls / 60.0));
    }

    private static void quantiles(StringBuilder out, String name, Map<String, String> labels, GoldenMetrics m) {
        line(out, name, labels, "quantile=\"0.5\"", m.p50Ms() == null ? null : m.p50Ms() / 1000);
        line(out, name, labels, "quantile=\"0.9\"", m.p90Ms() == null ? null : m.p90Ms() / 1000);
        line(out, name, labels, "quantile=\"0.99\"", m.p99Ms() == null ? null : m.p99Ms() / 1000);
    }

    private static void line(StringBuilder out, String name, Map<String, String> labels, String extra, Double value) {
        if (value == null) return;
        out.append(name).append('{');
        boolean first = true;
        for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
            if (!first) out.append(',');
            first = false;
            out.append(label.getKey()).append("=\"").append(escape(label.getValue())).append('"');
        }
        if (extra != null) out.append(first ? "" : ",").append(extra);
        out.append("} ").append(value).append('\n');
    }

    /** Label values escape backslash, double quote and line feed, as the exposition format asks. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
