package dev.trellis.controlplane.telemetry;

import dev.trellis.controlplane.database.TenantTransactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rolls minute buckets older than {@code trellis.telemetry.minute-retention} (default 2 days) up into
 * hour buckets, and forgets counted report keys older than {@code trellis.telemetry.report-retention}
 * (default 7 days: a resend older than that would be counted again, and the proxy's backlog holds
 * minutes, not days), and deletes hour buckets older than {@code trellis.telemetry.hour-retention}
 * (default 90 days, longer than the minute retention). Moving a minute into its hour merges it into what the hour holds and deletes
 * it in one transaction with the rows locked, so two replicas rolling up at once move each minute once,
 * and a late report for a rolled-up minute is moved by the next run.
 */
@Component
class TelemetryRetention {
    private static final Logger log = LoggerFactory.getLogger(TelemetryRetention.class);

    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final UsageIngest ingest;
    private final UsageFolding folding;
    private final Duration minuteRetention;
    private final Duration reportRetention;
    private final Duration hourRetention;

    TelemetryRetention(TenantTransactions transactions, JdbcTemplate jdbc, UsageIngest ingest, UsageFolding folding,
                       @Value("${trellis.telemetry.minute-retention:2d}") Duration minuteRetention,
                       @Value("${trellis.telemetry.report-retention:7d}") Duration reportRetention,
                       @Value("${trellis.telemetry.hour-retention:90d}") Duration hourRetention) {
        if (hourRetention.compareTo(minuteRetention) <= 0) {
            throw new IllegalArgumentException("trellis.telemetry.hour-retention (" + hourRetention
                    + ") must be longer than trellis.telemetry.minute-retention (" + minuteRetention + ")");
        }
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.ingest = ingest;
        this.folding = folding;
        this.minuteRetention = minuteRetention;
        this.reportRetention = reportRetention;
        this.hourRetention = hourRetention;
    }

    @Scheduled(fixedDelayString = "${trellis.telemetry.rollup-interval:5m}", initialDelayString = "${trellis.telemetry.rollup-interval:5m}")
    void run() {
        try {
            rollUp(TenantTransactions.now());
        } catch (RuntimeException e) {
            log.warn("telemetry roll-up failed; the next run retries: {}", e.toString());
        }
    }

    /** Rolls every whole hour that ends before now − minute retention; answers the minute rows moved. */
    int rollUp(Instant now) {
        Instant cutoff = now.minus(minuteRetention).truncatedTo(ChronoUnit.HOURS);
        // Reports counted but not folded yet belong in the minutes being moved.
        folding.foldAll(false);
        int moved = 0;
        List<String> tenants = jdbc.queryForList("SELECT tenant_id FROM telemetry_tenants_before(?)", String.class, Timestamp.from(cutoff));
        for (String tenant : tenants) moved += transactions.inTenant(tenant, () -> rollUpTenant(tenant, cutoff));
        jdbc.queryForObject("SELECT telemetry_expire_reports(?)", Long.class, Timestamp.from(now.minus(reportRetention)));
        jdbc.queryForObject("SELECT telemetry_expire_hours(?)", Long.class,
                Timestamp.from(now.minus(hourRetention).truncatedTo(ChronoUnit.HOURS)));
        return moved;
    }

    private int rollUpTenant(String tenant, Instant cutoff) {
        Map<String, Map<UsageIngest.BucketKey, UsageIngest.Counts>> byMesh = new TreeMap<>();
        int[] rows = {0};
        int[] summed = {0};
        String[] group = {null, null};
        jdbc.query("""
                        SELECT mesh, service, direction, rule, upstream, caller, bucket, requests_1xx, requests_2xx, requests_3xx,
                               requests_4xx, requests_5xx, bytes_in, bytes_out, retries, breaker_rejections, latency, grpc_statuses
                        FROM metric_minutes WHERE tenant_id = ? AND bucket < ?
                        ORDER BY mesh, service, direction, rule, upstream, caller, bucket FOR UPDATE""",
                rs -> {
                    rows[0]++;
                    String mesh = rs.getString(1);
                    String service = rs.getString(2);
                    // Hours are written a (mesh, service) group at a time once some thousand are summed, in the order
                    // the rows come (the bucket key's): the sums held stay bounded however many hours and services roll up.
                    if (group[0] != null && !(group[0].equals(mesh) && group[1].equals(service))
                            && summed[0] >= UsageIngest.MAX_ROWS_PER_STATEMENT) {
                        byMesh.forEach((m, buckets) -> ingest.add("metric_hours", tenant, m, buckets));
                        byMesh.clear();
                        summed[0] = 0;
                    }
                    group[0] = mesh;
                    group[1] = service;
                    UsageIngest.BucketKey key = new UsageIngest.BucketKey(service, rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getTimestamp(7).toInstant().truncatedTo(ChronoUnit.HOURS));
                    Map<UsageIngest.BucketKey, UsageIngest.Counts> buckets = byMesh.computeIfAbsent(mesh, m -> new TreeMap<>());
                    UsageIngest.Counts counts = buckets.get(key);
                    if (counts == null) {
                        buckets.put(key, counts = new UsageIngest.Counts());
                        summed[0]++;
                    }
                    for (int i = 0; i < counts.byClass.length; i++) counts.byClass[i] += rs.getLong(8 + i);
                    counts.bytesIn += rs.getLong(13);
                    counts.bytesOut += rs.getLong(14);
                    counts.retries += rs.getLong(15);
                    counts.breakerRejections += rs.getLong(16);
                    counts.addLatency(rs.getBytes(17));
                    counts.addGrpc(MetricBuckets.counts(rs.getArray(18)));
                }, tenant, Timestamp.from(cutoff));
        byMesh.forEach((mesh, buckets) -> ingest.add("metric_hours", tenant, mesh, buckets));
        jdbc.update("DELETE FROM metric_minutes WHERE tenant_id = ? AND bucket < ?", tenant, Timestamp.from(cutoff));
        return rows[0];
    }
}
