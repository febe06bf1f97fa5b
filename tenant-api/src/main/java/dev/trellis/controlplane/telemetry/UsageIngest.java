package dev.trellis.controlplane.telemetry;

import dev.trellis.controlplane.database.GroupCommit;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.fleet.FleetProxy;
import dev.trellis.controlplane.web.DatabaseUnavailableFilter;
import org.HdrHistogram.Histogram;
import dev.trellis.billing.Billing;
import org.springframework.beans.factory.annotation.Value;
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
 * (proxy id, sequence) row, its route rows to be folded ({@code usage_pending}) and billing's copy are
 * written in one transaction, and a second insert of that key does nothing. {@link UsageFolding} adds
 * the pending rows to their buckets later, each once. Buckets only add (counts) and merge (histograms),
 * so the order reports arrive in does not change them. Bucket rows are written in key order, so
 * concurrent transactions (this replica's and others') lock rows in the same order and cannot deadlock.
 * Everything runs in the proxy's tenant.
 */
@Component
class UsageIngest {
    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final Billing billing;

    UsageIngest(TenantTransactions transactions, JdbcTemplate jdbc, Billing billing,
                @Value("${trellis.telemetry.reports-per-transaction:" + MAX_REPORTS_PER_TRANSACTION + "}") int perTransaction,
                @Value("${trellis.telemetry.max-waiting-reports:" + MAX_WAITING + "}") int maxWaiting) {
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.billing = billing;
        this.reports = new GroupCommit<>("usage reports", perTransaction, maxWaiting, DatabaseUnavailableFilter::databaseUnavailable,
                (tenant, pending) -> transactions.inTenant(tenant, () -> count(tenant, pending)));
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
        /** The rows' latency, added up; {@link #latency()} once everything is added. */
        private final Latency.Sum latency = new Latency.Sum();
        /** gRPC calls by code (UsageReport.GRPC_CODES), null until a row carries one. */
        long[] grpc;

        void addGrpc(long[] byCode) {
            if (byCode == null || byCode.length == 0) return;
            if (grpc == null) grpc = new long[UsageReport.GRPC_CODES.size()];
            for (int i = 0; i < Math.min(byCode.length, grpc.length); i++) grpc[i] += byCode[i];
        }

        /** The gRPC counts as the grpc_statuses column holds them: empty when there were none. */
        long[] grpcColumn() {
            return grpc == null ? new long[0] : grpc;
        }

        void add(UsageReport.RouteUsage row) {
            addGrpc(row.grpcByCode());
            for (int i = 0; i < byClass.length; i++) byClass[i] += row.requestsByClass()[i];
            bytesIn += row.bytesIn();
            bytesOut += row.bytesOut();
            retries += row.retries();
            breakerRejections += row.breakerRejections();
            // Added straight from the encoding (checked when the report was read): no histogram per row.
            addLatency(row.latency());
        }

        void addLatency(byte[] encoded) {
            Latency.addTo(latency, encoded);
        }

        Histogram latency() {
            return latency.histogram();
        }
    }

    /** One report to count; {@code tokenHash}, when given, is checked against the proxy's row in the insert. */
    private record Pending(FleetProxy proxy, byte[] tokenHash, UsageReport report, Instant receivedAt, String key) {
        Pending(FleetProxy proxy, byte[] tokenHash, UsageReport report, Instant receivedAt) {
            this(proxy, tokenHash, report, receivedAt, proxy.id() + "\u0000" + String.format("%020d", report.sequence()));
        }
    }

    /** Most bucket rows one statement writes (20 parameters each, PostgreSQL allows 65,535). */
    static final int MAX_ROWS_PER_STATEMENT = 1000;
    /** Most reports one transaction counts by default (each a statement of some 5 KB in the batch sent at once). */
    static final int MAX_REPORTS_PER_TRANSACTION = 64;

    /**
     * Most reports of one tenant waiting on a replica, by default, before a new one is refused (503, resent
     * by the proxy from its backlog): some eight transactions' worth. Past it the database is not keeping
     * up, and waiting requests would only hold memory and connections until they time out.
     */
    static final int MAX_WAITING = 8 * MAX_REPORTS_PER_TRANSACTION;

    /** Reports of one tenant, group-committed (see {@link #ingest(FleetProxy, byte[], UsageReport, Instant)}). */
    private final GroupCommit<Pending, Boolean> reports;

    /**
     * Whether the report was counted now (false: it had been counted before). Reports of one tenant are
     * group-committed ({@link GroupCommit}): a report that arrives while another of its tenant's
     * transactions is being written waits, and the next writer counts the reports that waited, oldest
     * first, in one transaction (at most {@code trellis.telemetry.reports-per-transaction}). Alone, a
     * report is written at once; under load, the round trips a transaction costs (most of a report's CPU)
     * are shared. A group that fails (one of its proxies revoked, say) is written again one report per
     * transaction, so each report gets its own answer.
     *
     * @throws GroupCommit.Full when {@code trellis.telemetry.max-waiting-reports} of the tenant's reports
     *                          already wait on this replica
     */
    boolean ingest(FleetProxy proxy, UsageReport report, Instant receivedAt) {
        return ingest(proxy, null, report, receivedAt);
    }

    /**
     * As {@link #ingest(FleetProxy, UsageReport, Instant)}, and the insert itself checks that the proxy's
     * row still has this token hash, is not revoked and its certificate still valid at {@code receivedAt}
     * (null: the caller verified the proxy in this request).
     *
     * @throws ProxyNoLongerValid when it is not, writing nothing
     */
    boolean ingest(FleetProxy proxy, byte[] tokenHash, UsageReport report, Instant receivedAt) {
        return reports.submit(proxy.tenantId(), new Pending(proxy, tokenHash, report, receivedAt));
    }

    private static final String VALID_PROXY = "SELECT 1 FROM proxies WHERE id = ? AND secret_hash = ? AND revoked_at IS NULL"
            + " AND not_after > ?::timestamptz";

    /** One report: its key, and its route rows to fold only when the key was new (and the proxy, if checked, valid). */
    private static final String COUNT = """
            WITH counted AS (
                INSERT INTO usage_reports (proxy_id, sequence, tenant_id, mesh, service, window_start, window_end,
                    received_at, snapshot_version, uptime_seconds, requests, bytes_in, bytes_out, proxy_milliseconds,
                    dropped_reports, connections_opened, connections_active)
                SELECT ?::text, ?::bigint, ?::text, ?::text, ?::text, ?::timestamptz, ?::timestamptz, ?::timestamptz,
                    ?::text, ?::float8, ?::bigint, ?::bigint, ?::bigint, ?::bigint, ?::bigint, ?::bigint, ?::bigint
                WHERE NOT ?::boolean OR EXISTS (%s)
                ON CONFLICT (proxy_id, sequence) DO NOTHING
                RETURNING proxy_id, sequence, tenant_id, mesh, service, proxy_milliseconds, requests, bytes_in, bytes_out)
            INSERT INTO usage_pending (proxy_id, sequence, tenant_id, mesh, service, proxy_milliseconds, requests,
                                       bytes_in, bytes_out, minute, routes)
            SELECT proxy_id, sequence, tenant_id, mesh, service, proxy_milliseconds, requests, bytes_in, bytes_out,
                   ?::timestamptz, ?::bytea
            FROM counted""".formatted(VALID_PROXY);

    /**
     * Records the reports' keys (in key order) and, for the new ones, their route rows to be folded
     * ({@code usage_pending}): one statement per report, which inserts nothing when the key was counted
     * before; then the new ones go to billing, in this same transaction. The buckets are written by
     * {@link UsageFolding}, which takes the pending rows in a transaction of its own. Answers whether
     * each report, in the order given, was counted now.
     */
    private List<Boolean> count(String tenant, List<Pending> reports) {
        List<Pending> ordered = new ArrayList<>(reports);
        ordered.sort(Comparator.comparing(Pending::key));
        Map<Pending, Boolean> counted = new java.util.IdentityHashMap<>();
        List<Pending> distinct = new ArrayList<>();
        for (Pending report : ordered) {
            // The same report twice in one group: the second is a duplicate of the first.
            if (!distinct.isEmpty() && distinct.getLast().key().equals(report.key())) counted.put(report, false);
            else distinct.add(report);
        }
        List<Object[]> rows = new ArrayList<>();
        for (Pending p : distinct) {
            UsageReport r = p.report();
            // With a token hash the row is inserted only if the proxy's row still lets that token in (same
            // statement, same transaction: a revocation committed anywhere before it is honoured).
            boolean checked = p.tokenHash() != null;
            rows.add(new Object[]{p.proxy().id(), r.sequence(), tenant, p.proxy().mesh(), p.proxy().service(),
                    Timestamp.from(r.windowStart()), Timestamp.from(r.windowEnd()), Timestamp.from(p.receivedAt()),
                    r.snapshotVersion(), r.uptimeSeconds(), r.requests(), r.bytesIn(), r.bytesOut(), proxyMillis(r),
                    r.droppedReports(), r.connectionsOpened(), r.connectionsActive(),
                    checked, p.proxy().id(), checked ? p.tokenHash() : new byte[0], Timestamp.from(p.receivedAt()),
                    Timestamp.from(r.windowStart().truncatedTo(ChronoUnit.MINUTES)), PendingRoutes.encode(r.routes())});
        }
        int[] inserted = jdbc.batchUpdate(COUNT, rows);
        List<dev.trellis.billing.UsageReport> metered = new ArrayList<>();
        for (int i = 0; i < distinct.size(); i++) {
            Pending p = distinct.get(i);
            boolean isNew = inserted[i] != 0;
            // Nothing inserted: a duplicate, or the proxy no longer valid (told apart only then, off the common path).
            if (!isNew && p.tokenHash() != null && jdbc.queryForList(VALID_PROXY, p.proxy().id(), p.tokenHash(),
                    Timestamp.from(p.receivedAt())).isEmpty()) {
                throw new ProxyNoLongerValid();
            }
            counted.put(p, isNew);
            if (!isNew) continue;
            UsageReport r = p.report();
            // What billing rates, in this same transaction: the report lands in both stores or in neither.
            metered.add(new dev.trellis.billing.UsageReport(tenant, p.proxy().id(), r.sequence(), p.proxy().mesh(),
                    r.windowEnd(), connectedSeconds(r.windowStart(), r.windowEnd()), r.requests()));
        }
        billing.usage().record(metered);
        return reports.stream().map(counted::get).toList();
    }

    /**
     * The whole seconds a window counts for billing: the second boundaries it crosses. A proxy's windows
     * follow each other, so its reports add up to its connected time less at most one second over its whole
     * run, where truncating each window to whole seconds lost up to a second per report.
     */
    static long connectedSeconds(Instant start, Instant end) {
        return end.getEpochSecond() - start.getEpochSecond();
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
        Map<BucketKey, Counts> chunk = new TreeMap<>();
        for (Map.Entry<BucketKey, Counts> entry : buckets.entrySet()) {
            chunk.put(entry.getKey(), entry.getValue());
            if (chunk.size() == MAX_ROWS_PER_STATEMENT) {
                addChunk(table, tenantId, mesh, chunk);
                chunk = new TreeMap<>();
            }
        }
        addChunk(table, tenantId, mesh, chunk);
    }

    private void addChunk(String table, String tenantId, String mesh, Map<BucketKey, Counts> buckets) {
        if (buckets.isEmpty()) return;
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append("""
                 (tenant_id, mesh, service, direction, route, rule, upstream, caller, bucket, requests_1xx, requests_2xx,
                  requests_3xx, requests_4xx, requests_5xx, bytes_in, bytes_out, retries, breaker_rejections, latency,
                  grpc_statuses) VALUES """);
        List<Object> params = new ArrayList<>();
        boolean first = true;
        for (Map.Entry<BucketKey, Counts> entry : buckets.entrySet()) {
            if (!first) sql.append(", ");
            first = false;
            sql.append("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::bigint[])");
            BucketKey key = entry.getKey();
            Counts counts = entry.getValue();
            params.addAll(List.of(tenantId, mesh, key.service(), key.direction(), key.route(), key.rule(), key.upstream(), key.caller(),
                    Timestamp.from(key.bucket())));
            for (long n : counts.byClass) params.add(n);
            params.addAll(List.of(counts.bytesIn, counts.bytesOut, counts.retries, counts.breakerRejections, Latency.encode(counts.latency()),
                    counts.grpcColumn()));
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
                .append("breaker_rejections = ").append(t).append(".breaker_rejections + excluded.breaker_rejections, ")
                .append("grpc_statuses = telemetry_add_counts(").append(t).append(".grpc_statuses, excluded.grpc_statuses)")
                .append(" RETURNING service, direction, rule, upstream, caller, bucket, (xmax = 0) AS inserted, latency");
        List<Object[]> merges = new ArrayList<>();
        jdbc.query(sql.toString(), rs -> {
            if (rs.getBoolean("inserted")) return;
            BucketKey key = new BucketKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                    rs.getTimestamp(6).toInstant());
            Histogram merged = buckets.get(key).latency();
            Latency.addTo(merged, rs.getBytes("latency"));
            merges.add(new Object[]{Latency.encode(merged), tenantId, mesh, key.service(), key.direction(), key.rule(), key.upstream(),
                    key.caller(), Timestamp.from(key.bucket())});
        }, params.toArray());
        if (!merges.isEmpty()) {
            jdbc.batchUpdate("UPDATE " + table + " SET latency = ? WHERE tenant_id = ? AND mesh = ? AND service = ? AND direction = ?"
                    + " AND rule = ? AND upstream = ? AND caller = ? AND bucket = ?", merges);
        }
    }
}
