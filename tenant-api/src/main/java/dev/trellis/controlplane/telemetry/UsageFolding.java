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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds counted reports ({@code usage_pending}, written by {@link UsageIngest} with the report's key)
 * into their minute buckets and usage rows. A fold deletes a batch of pending rows and adds all of them
 * to {@code metric_minutes} and {@code usage_minutes} in one transaction, so each report is added once:
 * a crash rolls the fold back and leaves the rows for the next one. Folding many reports at once is
 * what makes ingestion cheap: a bucket row is read, merged and written once per fold, not once per report,
 * and the mesh's usage row of the minute, which every report adds to, once per fold instead of being
 * locked by every report's transaction.
 *
 * <p>Every replica folds every {@code trellis.telemetry.fold-interval} (default {@code 10s}), skipping the
 * rows another replica is folding, and only the minutes that are over ({@code trellis.telemetry.fold-settle},
 * default {@code 15s}, after the minute's end, the time its last reports take to arrive): a bucket is then
 * written about once per minute, from all its reports at once, instead of once per fold with its stored
 * histogram read back and merged each time. A batch takes reports in (minute, service) order, so a bucket's
 * reports are mostly in one batch. Readers of the buckets call {@link #catchUp} first, which folds
 * everything pending (the current minute too) and waits for folds in progress, so an answer holds every
 * report counted before it was asked.
 */
@Component
class UsageFolding {
    private static final Logger log = LoggerFactory.getLogger(UsageFolding.class);

    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final UsageIngest ingest;
    private final int batch;
    private final Duration settle;

    UsageFolding(TenantTransactions transactions, JdbcTemplate jdbc, UsageIngest ingest,
                 @Value("${trellis.telemetry.fold-batch:2000}") int batch,
                 @Value("${trellis.telemetry.fold-settle:15s}") Duration settle) {
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.ingest = ingest;
        this.batch = batch;
        this.settle = settle;
    }

    @Scheduled(fixedDelayString = "${trellis.telemetry.fold-interval:10s}", initialDelayString = "${trellis.telemetry.fold-interval:10s}")
    void run() {
        try {
            foldAll(true, settledBefore(TenantTransactions.now()));
        } catch (RuntimeException e) {
            log.warn("folding usage reports failed; the next run retries: {}", e.toString());
        }
    }

    /** The first minute whose reports may still be arriving: minutes before it are folded by the scheduled run. */
    Instant settledBefore(Instant now) {
        return now.minus(settle).minus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
    }

    /** Folds every tenant's pending reports; answers how many. {@code skipLocked}: leave the ones another fold holds. */
    int foldAll(boolean skipLocked) {
        return foldAll(skipLocked, Instant.MAX);
    }

    /** As {@link #foldAll(boolean)}, only reports of the minutes before {@code before}. */
    int foldAll(boolean skipLocked, Instant before) {
        int folded = 0;
        for (String tenant : jdbc.queryForList("SELECT tenant_id FROM telemetry_pending_tenants()", String.class)) {
            folded += fold(tenant, skipLocked, before);
        }
        return folded;
    }

    /** Folds the tenant's pending reports, waiting for those another fold holds: afterwards its buckets hold every report counted so far. */
    void catchUp(String tenantId) {
        fold(tenantId, false, Instant.MAX);
    }

    private int fold(String tenantId, boolean skipLocked, Instant before) {
        Timestamp cutoff = before.equals(Instant.MAX) ? null : Timestamp.from(before);
        int total = 0;
        while (true) {
            int folded = transactions.inTenant(tenantId, () -> foldBatch(tenantId, skipLocked, cutoff));
            total += folded;
            if (folded < batch) return total;
        }
    }

    /** A pending report as the fold takes it: its routes still encoded until its (mesh, service) group is added up. */
    private record Taken(String mesh, String service, Timestamp minute, byte[] routes) {
    }

    private static final java.util.Comparator<Taken> GROUPS = java.util.Comparator.comparing(Taken::mesh).thenComparing(Taken::service);

    private int foldBatch(String tenantId, boolean skipLocked, Timestamp before) {
        List<Taken> taken = new ArrayList<>();
        Map<String, Map<Timestamp, long[]>> usage = new TreeMap<>();
        // Rows are locked in one total order (ending with the key), so two folds that wait for each other's rows
        // cannot deadlock; (minute, service) first puts a bucket's reports in one batch.
        List<Object> params = new ArrayList<>(List.of(tenantId));
        if (before != null) params.add(before);
        params.add(batch);
        jdbc.query("DELETE FROM usage_pending WHERE (proxy_id, sequence) IN (SELECT proxy_id, sequence FROM usage_pending"
                + " WHERE tenant_id = ?" + (before != null ? " AND minute < ?" : "")
                + " ORDER BY minute, service, proxy_id, sequence LIMIT ? FOR UPDATE" + (skipLocked ? " SKIP LOCKED" : "")
                + ") RETURNING mesh, service, minute, proxy_milliseconds, requests, bytes_in, bytes_out, routes", rs -> {
            String mesh = rs.getString(1);
            Timestamp minute = rs.getTimestamp(3);
            taken.add(new Taken(mesh, rs.getString(2), minute, rs.getBytes(8)));
            long[] sums = usage.computeIfAbsent(mesh, m -> new TreeMap<>()).computeIfAbsent(minute, t -> new long[5]);
            for (int i = 0; i < 4; i++) sums[i] += rs.getLong(4 + i);
            sums[4]++;
        }, params.toArray());
        // Bucket rows are written in (mesh, bucket key) order, the key starting with the service: the reports are
        // added up a (mesh, service) group at a time and written once some thousand buckets are summed, so a batch
        // of reports from many services and minutes (a backlog delivered after an outage) holds a bounded number
        // of sums (each some tens of KB of histogram), not one per bucket of the whole batch.
        taken.sort(GROUPS);
        Map<String, Map<UsageIngest.BucketKey, UsageIngest.Counts>> buckets = new TreeMap<>();
        int summed = 0;
        Taken previous = null;
        for (Taken report : taken) {
            if (previous != null && GROUPS.compare(previous, report) != 0 && summed >= UsageIngest.MAX_ROWS_PER_STATEMENT) {
                buckets.forEach((mesh, rows) -> ingest.add("metric_minutes", tenantId, mesh, rows));
                buckets.clear();
                summed = 0;
            }
            previous = report;
            Map<UsageIngest.BucketKey, UsageIngest.Counts> meshBuckets = buckets.computeIfAbsent(report.mesh(), m -> new TreeMap<>());
            Instant bucket = report.minute().toInstant();
            for (UsageReport.RouteUsage row : PendingRoutes.decode(report.routes())) {
                UsageIngest.BucketKey key = new UsageIngest.BucketKey(report.service(), row.direction(), row.rule(), row.upstream(),
                        row.caller(), bucket);
                UsageIngest.Counts counts = meshBuckets.get(key);
                if (counts == null) {
                    meshBuckets.put(key, counts = new UsageIngest.Counts());
                    summed++;
                }
                counts.add(row);
            }
        }
        buckets.forEach((mesh, rows) -> ingest.add("metric_minutes", tenantId, mesh, rows));
        List<Object[]> usageRows = new ArrayList<>();
        usage.forEach((mesh, minutes) -> minutes.forEach((minute, sums) ->
                usageRows.add(new Object[]{tenantId, mesh, minute, sums[0], sums[1], sums[2], sums[3], sums[4]})));
        if (!usageRows.isEmpty()) {
            jdbc.batchUpdate("""
                    INSERT INTO usage_minutes (tenant_id, mesh, minute, proxy_milliseconds, requests, bytes_in, bytes_out, reports)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (tenant_id, mesh, minute) DO UPDATE SET
                        proxy_milliseconds = usage_minutes.proxy_milliseconds + excluded.proxy_milliseconds,
                        requests = usage_minutes.requests + excluded.requests,
                        bytes_in = usage_minutes.bytes_in + excluded.bytes_in,
                        bytes_out = usage_minutes.bytes_out + excluded.bytes_out,
                        reports = usage_minutes.reports + excluded.reports""", usageRows);
        }
        return taken.size();
    }
}
