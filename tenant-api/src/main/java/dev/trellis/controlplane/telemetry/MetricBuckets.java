package dev.trellis.controlplane.telemetry;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads golden-metric buckets: minute rows and, where minutes were rolled up, hour rows (a minute row
 * is deleted when its hour is written, so the two never count the same request). Runs inside the
 * caller's tenant transaction.
 */
@Repository
class MetricBuckets {
    private final JdbcTemplate jdbc;

    MetricBuckets(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * One stored bucket: which service's proxies reported it, which route, when, its counts and latency;
     * {@code grpc} its gRPC calls answered below HTTP 500 by code (empty when it carried none).
     */
    record Row(String service, String direction, String route, String upstream, Instant bucket, long[] byClass,
               long bytesIn, long bytesOut, long retries, long breakerRejections, byte[] latency, long[] grpc) {
        long requests() {
            long total = 0;
            for (long n : byClass) total += n;
            return total;
        }

        /** 5xx answers, and gRPC calls whose status says the server failed (answered with HTTP 200, mostly). */
        long failures() {
            long failures = byClass[4];
            for (int code = 0; code < grpc.length; code++) if (dev.trellis.compiler.snapshot.GrpcStatus.serverFailure(code)) failures += grpc[code];
            return failures;
        }

        /** Reads a row from {@link #COLUMNS} starting at column {@code first}. */
        static Row read(java.sql.ResultSet rs, int first) throws java.sql.SQLException {
            int c = first;
            return new Row(rs.getString(c), rs.getString(c + 1), rs.getString(c + 2), rs.getString(c + 3), rs.getTimestamp(c + 4).toInstant(),
                    new long[]{rs.getLong(c + 5), rs.getLong(c + 6), rs.getLong(c + 7), rs.getLong(c + 8), rs.getLong(c + 9)},
                    rs.getLong(c + 10), rs.getLong(c + 11), rs.getLong(c + 12), rs.getLong(c + 13), rs.getBytes(c + 14),
                    counts(rs.getArray(c + 15)));
        }
    }

    /** The columns {@link Row#read} reads, in its order. */
    static final String COLUMNS = "service, direction, route, upstream, bucket, requests_1xx, requests_2xx, requests_3xx,"
            + " requests_4xx, requests_5xx, bytes_in, bytes_out, retries, breaker_rejections, latency, grpc_statuses";

    /** A bigint[] column as counts (empty for none). */
    static long[] counts(java.sql.Array array) throws java.sql.SQLException {
        if (array == null) return new long[0];
        Object[] values = (Object[]) array.getArray();
        long[] counts = new long[values.length];
        for (int i = 0; i < values.length; i++) counts[i] = values[i] == null ? 0 : ((Number) values[i]).longValue();
        return counts;
    }

    /** What a metrics question selects: a service's inbound rows, or the outbound rows of one route to it. */
    record Selection(String mesh, String service, String route) {
    }

    List<Row> rows(Selection selection, Instant from, Instant to) {
        List<Row> rows = new ArrayList<>();
        each(selection, from, to, rows::add);
        return rows;
    }

    /**
     * Hands each selected bucket to {@code each} as it is read, for callers that add them up: a summary
     * reads tens of thousands, which as a list outlived young collections and were copied by them.
     */
    void each(Selection selection, Instant from, Instant to, java.util.function.Consumer<Row> each) {
        for (String table : List.of("metric_minutes", "metric_hours")) {
            List<Object> params = new ArrayList<>(List.of(selection.mesh(), Timestamp.from(from), Timestamp.from(to)));
            String where;
            if (selection.route() == null && selection.service() == null) {
                where = "direction = 'inbound'";
            } else if (selection.route() == null) {
                where = "direction = 'inbound' AND service = ?";
                params.add(selection.service());
            } else {
                where = "direction = 'outbound' AND upstream = ? AND route = ?";
                params.add(selection.service());
                params.add(selection.route());
            }
            jdbc.query("SELECT " + COLUMNS + " FROM " + table
                    + " WHERE tenant_id = current_setting('trellis.tenant_id') AND mesh = ? AND bucket >= ? AND bucket < ? AND " + where,
                    rs -> {
                        each.accept(Row.read(rs, 1));
                    }, params.toArray());
        }
    }

    /** A snapshot version a service's proxies were given, when, and the audit event of the write that caused it. */
    record VersionChange(String service, String version, Instant time, String auditEventId, String action, String resource, String actor) {
    }

    List<VersionChange> versionChanges(String mesh, List<String> services, Instant from, Instant to) {
        if (services.isEmpty()) return List.of();
        return jdbc.query("""
                        SELECT c.service, c.version, c.changed_at, a.event_id, a.action, a.resource, a.actor
                        FROM snapshot_changes c
                        LEFT JOIN LATERAL (SELECT event_id, action, resource, actor FROM audit_events e
                                           WHERE e.tenant_id = c.tenant_id AND e.txid = c.txid ORDER BY event_id DESC LIMIT 1) a ON true
                        WHERE c.tenant_id = current_setting('trellis.tenant_id') AND c.mesh = ? AND c.service = ANY(?)
                          AND c.changed_at >= ? AND c.changed_at < ?
                        ORDER BY c.changed_at, c.id""",
                (rs, n) -> new VersionChange(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7)),
                mesh, services.toArray(String[]::new), Timestamp.from(from), Timestamp.from(to));
    }

    /** Proxies per service that sent a report whose window ended at or after {@code since}. */
    java.util.Map<String, Long> reportingProxies(String mesh, Instant since) {
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        jdbc.query("""
                        SELECT service, count(DISTINCT proxy_id) FROM usage_reports
                        WHERE tenant_id = current_setting('trellis.tenant_id') AND mesh = ? AND window_end >= ? GROUP BY service""",
                rs -> {
                    counts.put(rs.getString(1), rs.getLong(2));
                }, mesh, Timestamp.from(since));
        return counts;
    }
}
