package dev.trellis.controlplane.telemetry;

import dev.trellis.controlplane.access.Caller;
import dev.trellis.controlplane.access.Role;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.mesh.MeshNotFound;
import dev.trellis.controlplane.mesh.MeshResources;
import dev.trellis.controlplane.web.ApiViolation;
import dev.trellis.controlplane.web.InvalidRequest;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Golden metrics from the proxies' reports: {@code GET /v1/meshes/{mesh}/metrics} (a series for one
 * service, or one route to it, with the snapshot versions that changed in the range and the audit
 * events that caused them) and {@code GET /v1/meshes/{mesh}/metrics/summary} (every service, last
 * minute and last hour). A service's own numbers are what its proxies served (inbound); a route's are
 * what its callers' proxies saw through it (outbound), retries and proxy answers included.
 */
@RestController
class MetricsController {
    private static final Set<String> SERIES_PARAMS = Set.of("service", "route", "from", "to", "step");

    private final TenantTransactions transactions;
    private final MeshResources resources;
    private final MetricBuckets buckets;
    private final UsageFolding folding;

    MetricsController(TenantTransactions transactions, MeshResources resources, MetricBuckets buckets, UsageFolding folding) {
        this.transactions = transactions;
        this.resources = resources;
        this.buckets = buckets;
        this.folding = folding;
    }

    record Point(Instant time, GoldenMetrics metrics) {
    }

    record AuditEventRef(String id, String action, String resource, String actor) {
    }

    record VersionChange(String service, String version, Instant time, AuditEventRef auditEvent) {
    }

    record Series(String mesh, String service, String route, Instant from, Instant to, String step, GoldenMetrics total,
                  List<Point> points, List<VersionChange> versionChanges) {
    }

    @GetMapping("/v1/meshes/{mesh}/metrics")
    Series series(@AuthenticationPrincipal Caller caller, @PathVariable String mesh, @RequestParam Map<String, String> params) {
        caller.require(Role.VIEWER);
        List<ApiViolation> violations = new ArrayList<>();
        for (String name : new TreeSet<>(params.keySet())) {
            if (!SERIES_PARAMS.contains(name)) violations.add(ApiViolation.at(name, "unknown query parameter"));
        }
        String service = params.get("service");
        if (service == null || service.isBlank()) violations.add(ApiViolation.at("service", "is required"));
        String route = params.get("route");
        if (route != null && route.isBlank()) violations.add(ApiViolation.at("route", "must not be empty"));
        MetricsWindow window;
        try {
            window = MetricsWindow.of(params.get("from"), params.get("to"), params.get("step"), TenantTransactions.now());
        } catch (InvalidRequest e) {
            violations.addAll(e.violations());
            window = null;
        }
        if (!violations.isEmpty()) throw new InvalidRequest(violations);
        MetricsWindow w = window;
        folding.catchUp(caller.tenantId());
        return transactions.inTenant(caller.tenantId(), () -> {
            if (!resources.meshExists(caller.tenantId(), mesh)) throw new MeshNotFound(mesh);
            List<MetricBuckets.Row> rows = buckets.rows(new MetricBuckets.Selection(mesh, service, route), w.from(), w.to());
            // Each bucket is read into its step's totals once; the range's total adds the steps'.
            Map<Instant, GoldenMetrics.Totals> bySteps = new TreeMap<>();
            for (MetricBuckets.Row row : rows) bySteps.computeIfAbsent(w.stepOf(row.bucket()), t -> new GoldenMetrics.Totals()).add(row);
            GoldenMetrics.Totals total = new GoldenMetrics.Totals();
            bySteps.values().forEach(total::add);
            List<Point> points = new ArrayList<>();
            double stepSeconds = w.step().toSeconds();
            for (int i = 0; i < w.points(); i++) {
                Instant time = w.from().plus(w.step().multipliedBy(i));
                points.add(new Point(time, bySteps.getOrDefault(time, new GoldenMetrics.Totals()).metrics(stepSeconds)));
            }
            // The services whose snapshots shape these numbers: the service itself and, for a route, its callers.
            Set<String> services = new TreeSet<>();
            services.add(service);
            rows.forEach(row -> services.add(row.service()));
            List<VersionChange> changes = buckets.versionChanges(mesh, List.copyOf(services), w.from(), w.to()).stream()
                    .map(c -> new VersionChange(c.service(), c.version(), c.time(),
                            c.auditEventId() == null ? null : new AuditEventRef(c.auditEventId(), c.action(), c.resource(), c.actor())))
                    .toList();
            return new Series(mesh, service, route, w.from(), w.to(), format(w.step()),
                    total.metrics(Duration.between(w.from(), w.to()).toSeconds()), points, changes);
        });
    }

    record ServiceSummary(String service, long meshedProxies, GoldenMetrics lastMinute, GoldenMetrics lastHour) {
    }

    record Summary(String mesh, Instant at, List<ServiceSummary> items) {
    }

    @GetMapping("/v1/meshes/{mesh}/metrics/summary")
    Summary summary(@AuthenticationPrincipal Caller caller, @PathVariable String mesh, @RequestParam Map<String, String> params) {
        caller.require(Role.VIEWER);
        List<ApiViolation> violations = new ArrayList<>();
        for (String name : new TreeSet<>(params.keySet())) violations.add(ApiViolation.at(name, "unknown query parameter"));
        if (!violations.isEmpty()) throw new InvalidRequest(violations);
        Instant now = TenantTransactions.now();
        // The last complete minute, and the sixty before the current one.
        Instant end = now.truncatedTo(ChronoUnit.MINUTES);
        folding.catchUp(caller.tenantId());
        return transactions.inTenant(caller.tenantId(), () -> {
            if (!resources.meshExists(caller.tenantId(), mesh)) throw new MeshNotFound(mesh);
            // Each bucket is read once, into its service's last minute or earlier minutes (the hour is both).
            Instant lastMinute = end.minus(Duration.ofMinutes(1));
            Map<String, HourTotals> byService = new TreeMap<>();
            buckets.each(new MetricBuckets.Selection(mesh, null, null), end.minus(Duration.ofHours(1)), end, row -> {
                HourTotals totals = byService.computeIfAbsent(row.service(), s -> new HourTotals());
                (row.bucket().isBefore(lastMinute) ? totals.earlier() : totals.last()).add(row);
            });
            Map<String, Long> proxies = buckets.reportingProxies(mesh, now.minus(Duration.ofMinutes(1)));
            proxies.keySet().forEach(service -> byService.computeIfAbsent(service, s -> new HourTotals()));
            List<ServiceSummary> items = new ArrayList<>();
            byService.forEach((service, totals) -> items.add(new ServiceSummary(service, proxies.getOrDefault(service, 0L),
                    totals.last().metrics(60), totals.earlier().add(totals.last()).metrics(3600))));
            return new Summary(mesh, now, items);
        });
    }

    /** A service's last minute, and the earlier minutes of its hour. */
    private record HourTotals(GoldenMetrics.Totals last, GoldenMetrics.Totals earlier) {
        HourTotals() {
            this(new GoldenMetrics.Totals(), new GoldenMetrics.Totals());
        }
    }

    static String format(Duration step) {
        long minutes = step.toMinutes();
        return minutes % 60 == 0 ? minutes / 60 + "h" : minutes + "m";
    }

    /** For the Prometheus exposition: the last complete minute per service and per route. */
    static Map<String, GoldenMetrics> lastMinuteBy(List<MetricBuckets.Row> rows, java.util.function.Function<MetricBuckets.Row, String> key) {
        Map<String, List<MetricBuckets.Row>> grouped = new LinkedHashMap<>();
        rows.forEach(row -> grouped.computeIfAbsent(key.apply(row), k -> new ArrayList<>()).add(row));
        Map<String, GoldenMetrics> metrics = new TreeMap<>();
        grouped.forEach((k, group) -> metrics.put(k, GoldenMetrics.of(group, 60)));
        return metrics;
    }
}
