package dev.trellis.controlplane.telemetry;

import dev.trellis.controlplane.database.TenantTransactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.sql.Timestamp;
import java.time.Instant;
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
 * rows another replica is folding. Readers of the buckets call {@link #catchUp} first, which waits for
 * those, so an answer holds every report counted before it was asked.
 */
@Component
class UsageFolding {
    private static final Logger log = LoggerFactory.getLogger(UsageFolding.class);

    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final UsageIngest ingest;
    private final int batch;

    UsageFolding(TenantTransactions transactions, JdbcTemplate jdbc, UsageIngest ingest,
                 @Value("${trellis.telemetry.fold-batch:2000}") int batch) {
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.ingest = ingest;
        this.batch = batch;
    }

    @Scheduled(fixedDelayString = "${trellis.telemetry.fold-interval:10s}", initialDelayString = "${trellis.telemetry.fold-interval:10s}")
    void run() {
        try {
            foldAll(true);
        } catch (RuntimeException e) {
            log.warn("folding usage reports failed; the next run retries: {}", e.toString());
        }
    }

    /** Folds every tenant's pending reports; answers how many. {@code skipLocked}: leave the ones another fold holds. */
    int foldAll(boolean skipLocked) {
        int folded = 0;
        for (String tenant : jdbc.queryForList("SELECT tenant_id FROM telemetry_pending_tenants()", String.class)) {
            folded += fold(tenant, skipLocked);
        }
        return folded;
    }

    /** Folds the tenant's pending reports, waiting for those another fold holds: afterwards its buckets hold every report counted so far. */
    void catchUp(String tenantId) {
        fold(tenantId, false);
    }

    private int fold(String tenantId, boolean skipLocked) {
        int total = 0;
        while (true) {
            int folded = transactions.inTenant(tenantId, () -> foldBatch(tenantId, skipLocked));
            total += folded;
            if (folded < batch) return total;
        }
    }

    private int foldBatch(String tenantId, boolean skipLocked) {
        Map<String, Map<UsageIngest.BucketKey, UsageIngest.Counts>> buckets = new TreeMap<>();
        Map<String, Map<Timestamp, long[]>> usage = new TreeMap<>();
        int[] reports = {0};
        // Rows are locked in key order, so two folds that wait for each other's rows cannot deadlock.
        jdbc.query("DELETE FROM usage_pending WHERE (proxy_id, sequence) IN (SELECT proxy_id, sequence FROM usage_pending"
                + " WHERE tenant_id = ? ORDER BY proxy_id, sequence LIMIT ? FOR UPDATE" + (skipLocked ? " SKIP LOCKED" : "")
                + ") RETURNING mesh, service, minute, proxy_milliseconds, requests, bytes_in, bytes_out, routes", rs -> {
            reports[0]++;
            String mesh = rs.getString(1);
            String service = rs.getString(2);
            Timestamp minute = rs.getTimestamp(3);
            Instant bucket = minute.toInstant();
            Map<UsageIngest.BucketKey, UsageIngest.Counts> meshBuckets = buckets.computeIfAbsent(mesh, m -> new TreeMap<>());
            for (UsageReport.RouteUsage row : PendingRoutes.decode(rs.getBytes(8))) {
                UsageIngest.BucketKey key = new UsageIngest.BucketKey(service, row.direction(), row.rule(), row.upstream(),
                        row.caller(), bucket);
                meshBuckets.computeIfAbsent(key, k -> new UsageIngest.Counts()).add(row);
            }
            long[] sums = usage.computeIfAbsent(mesh, m -> new TreeMap<>()).computeIfAbsent(minute, t -> new long[5]);
            for (int i = 0; i < 4; i++) sums[i] += rs.getLong(4 + i);
            sums[4]++;
        }, tenantId, batch);
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
        return reports[0];
    }
}
