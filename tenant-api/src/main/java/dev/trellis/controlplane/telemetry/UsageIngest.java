package dev.trellis.controlplane.telemetry;

import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.fleet.FleetProxy;
import org.HdrHistogram.Histogram;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts a usage report exactly once, whichever replica receives it and however often: the report's
 * (proxy id, sequence) row and its buckets are written in one transaction, and a second insert of
 * that key does nothing. Buckets only add (counts) and merge (histograms), so the order reports
 * arrive in does not change them. Rows are written in key order, so concurrent reports of one service
 * lock bucket rows in the same order and cannot deadlock. Everything runs in the proxy's tenant.
 */
@Component
class UsageIngest {
    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;

    UsageIngest(TenantTransactions transactions, JdbcTemplate jdbc) {
        this.transactions = transactions;
        this.jdbc = jdbc;
    }

    /** A bucket row's key inside one tenant and mesh. */
    record BucketKey(String service, String direction, String rule, String upstream, String caller, Instant bucket)
            implements Comparable<BucketKey> {
        private static final Comparator<BucketKey> ORDER = Comparator.comparing(BucketKey::service)
                .thenComparing(BucketKey::direction).thenComparing(BucketKey::rule).thenComparing(BucketKey::upstream)
                .thenComparing(BucketKey::caller).thenComparing(BucketKey::bucket);

        @Override
        public int compareTo(BucketKey other) {
            return ORDER.compare(this, other);
        }

        String route() {
            int slash = rule.lastIndexOf('/');
            return slash < 0 ? rule : rule.substring(0, slash);
        }
    }

    /** Counts of one bucket, added to what is stored. */
    static final class Counts {
        final long[] byClass = new long[UsageReport.CLASSES.size()];
        long bytesIn;
        long bytesOut;
        long retries;
        long breakerRejections;
        final Histogram latency = Latency.empty();

        void add(UsageReport.RouteUsage row) {
            for (int i = 0; i < byClass.length; i++) byClass[i] += row.requestsByClass()[i];
            bytesIn += row.bytesIn();
            bytesOut += row.bytesOut();
            retries += row.retries();
            breakerRejections += row.breakerRejections();
            latency.add(row.latency());
        }
    }

    /** Whether the report was counted now (false: it had been counted before). */
    boolean ingest(FleetProxy proxy, UsageReport report, Instant receivedAt) {
        return transactions.inTenant(proxy.tenantId(), () -> {
            int inserted = jdbc.update("""
                            INSERT INTO usage_reports (proxy_id, sequence, tenant_id, mesh, service, window_start, window_end,
                                received_at, snapshot_version, uptime_seconds, requests, bytes_in, bytes_out, proxy_milliseconds,
                                dropped_reports, connections_opened, connections_active)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            ON CONFLICT (proxy_id, sequence) DO NOTHING""",
                    proxy.id(), report.sequence(), proxy.tenantId(), proxy.mesh(), proxy.service(),
                    Timestamp.from(report.windowStart()), Timestamp.from(report.windowEnd()), Timestamp.from(receivedAt),
                    report.snapshotVersion(), report.uptimeSeconds(), report.requests(), report.bytesIn(), report.bytesOut(),
                    proxyMillis(report), report.droppedReports(), report.connectionsOpened(), report.connectionsActive());
            if (inserted == 0) return false;
            Instant minute = report.windowStart().truncatedTo(ChronoUnit.MINUTES);
            Map<BucketKey, Counts> buckets = new TreeMap<>();
            for (UsageReport.RouteUsage row : report.routes()) {
                BucketKey key = new BucketKey(proxy.service(), row.direction(), row.rule(), row.upstream(), row.caller(), minute);
                buckets.computeIfAbsent(key, k -> new Counts()).add(row);
            }
            add("metric_minutes", proxy.tenantId(), proxy.mesh(), buckets);
            jdbc.update("""
                            INSERT INTO usage_minutes (tenant_id, mesh, minute, proxy_milliseconds, requests, bytes_in, bytes_out, reports)
                            VALUES (?, ?, ?, ?, ?, ?, ?, 1)
                            ON CONFLICT (tenant_id, mesh, minute) DO UPDATE SET
                                proxy_milliseconds = usage_minutes.proxy_milliseconds + excluded.proxy_milliseconds,
                                requests = usage_minutes.requests + excluded.requests,
                                bytes_in = usage_minutes.bytes_in + excluded.bytes_in,
                                bytes_out = usage_minutes.bytes_out + excluded.bytes_out,
                                reports = usage_minutes.reports + 1""",
                    proxy.tenantId(), proxy.mesh(), Timestamp.from(minute), proxyMillis(report), report.requests(),
                    report.bytesIn(), report.bytesOut());
            return true;
        });
    }

    private static long proxyMillis(UsageReport report) {
        return ChronoUnit.MILLIS.between(report.windowStart(), report.windowEnd());
    }

    /**
     * Adds {@code buckets} (sorted) to {@code table} in one statement that inserts new rows and adds to
     * existing ones, locking them; then the histograms of the existing rows are merged and written.
     * Runs inside the caller's tenant transaction.
     */
    void add(String table, String tenantId, String mesh, Map<BucketKey, Counts> buckets) {
        if (buckets.isEmpty()) return;
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append("""
                 (tenant_id, mesh, service, direction, route, rule, upstream, caller, bucket, requests_1xx, requests_2xx,
                  requests_3xx, requests_4xx, requests_5xx, bytes_in, bytes_out, retries, breaker_rejections, latency) VALUES """);
        List<Object> params = new ArrayList<>();
        boolean first = true;
        for (Map.Entry<BucketKey, Counts> entry : buckets.entrySet()) {
            if (!first) sql.append(", ");
            first = false;
            sql.append("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            BucketKey key = entry.getKey();
            Counts counts = entry.getValue();
            params.addAll(List.of(tenantId, mesh, key.service(), key.direction(), key.route(), key.rule(), key.upstream(), key.caller(),
                    Timestamp.from(key.bucket())));
            for (long n : counts.byClass) params.add(n);
            params.addAll(List.of(counts.bytesIn, counts.bytesOut, counts.retries, counts.breakerRejections, Latency.encode(counts.latency)));
        }
        String t = table;
        sql.append(" ON CONFLICT (tenant_id, mesh, service, direction, rule, upstream, caller, bucket) DO UPDATE SET ")
                .append("requests_1xx = ").append(t).append(".requests_1xx + excluded.requests_1xx, ")
                .append("requests_2xx = ").append(t).append(".requests_2xx + excluded.requests_2xx, ")
                .append("requests_3xx = ").append(t).append(".requests_3xx + excluded.requests_3xx, ")
                .append("requests_4xx = ").append(t).append(".requests_4xx + excluded.requests_4xx, ")
                .append("requests_5xx = ").append(t).append(".requests_5xx + excluded.requests_5xx, ")
                .append("bytes_in = ").append(t).append(".bytes_in + excluded.bytes_in, ")
                .append("bytes_out = ").append(t).append(".bytes_out + excluded.bytes_out, ")
                .append("retries = ").append(t).append(".retries + excluded.retries, ")
                .append("breaker_rejections = ").append(t).append(".breaker_rejections + excluded.breaker_rejections")
                .append(" RETURNING service, direction, rule, upstream, caller, bucket, (xmax = 0) AS inserted, latency");
        List<Object[]> merges = new ArrayList<>();
        jdbc.query(sql.toString(), rs -> {
            if (rs.getBoolean("inserted")) return;
            BucketKey key = new BucketKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                    rs.getTimestamp(6).toInstant());
            Histogram merged = Latency.decodeStored(rs.getBytes("latency"));
            merged.add(buckets.get(key).latency);
            merges.add(new Object[]{Latency.encode(merged), tenantId, mesh, key.service(), key.direction(), key.rule(), key.upstream(),
                    key.caller(), Timestamp.from(key.bucket())});
        }, params.toArray());
        if (!merges.isEmpty()) {
            jdbc.batchUpdate("UPDATE " + table + " SET latency = ? WHERE tenant_id = ? AND mesh = ? AND service = ? AND direction = ?"
                    + " AND rule = ? AND upstream = ? AND caller = ? AND bucket = ?", merges);
        }
    }
}
