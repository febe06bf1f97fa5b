package dev.trellis.billing;

import org.springframework.jdbc.core.simple.JdbcClient;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The usage ingestion contract: {@link #record(UsageReport)} counts each report once by its
 * {@code (proxy id, sequence)} (a unique key, so any number of replicas may receive resends), accepts
 * reports of a period until its grace ends, and refuses later ones, counting them as late.
 */
public final class UsageLedger {
    private static final String COLUMNS = "proxy_id, sequence, tenant_id, mesh, event_time, period, proxy_seconds, requests, received_at";
    private final TenantScope scope;
    private final JdbcClient jdbc;
    private final Invoices invoices;
    private final Clock clock;
    private final Duration grace;

    UsageLedger(TenantScope scope, Invoices invoices, Clock clock, Duration grace) {
        this.scope = scope;
        this.jdbc = scope.jdbc();
        this.invoices = invoices;
        this.clock = clock;
        this.grace = grace;
    }

    /**
     * Records one report. The period row is held FOR SHARE meanwhile, so a concurrent finalisation
     * either sees this report or makes it late, never neither.
     */
    public Recorded record(UsageReport report) {
        Period period = Period.of(report.eventTime());
        return scope.inTenant(report.tenantId(), () -> {
            Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
            boolean finalized = invoices.lockPeriod(report.tenantId(), period, false).isPresent();
            if (finalized || !now.isBefore(period.graceEnd(grace))) {
                boolean known = jdbc.sql("SELECT 1 FROM usage_reports WHERE proxy_id = ? AND sequence = ?")
                        .params(report.proxyId(), report.sequence()).query(Integer.class).optional().isPresent();
                if (known) return Recorded.DUPLICATE;
                insert("late_usage_reports", report, period, now);
                return Recorded.LATE;
            }
            return insert("usage_reports", report, period, now) == 1 ? Recorded.ACCEPTED : Recorded.DUPLICATE;
        });
    }

    /** How many distinct reports of the period came too late to count. */
    public long lateReports(String tenantId, Period period) {
        return scope.inTenant(tenantId, () -> jdbc.sql("SELECT count(*) FROM late_usage_reports WHERE tenant_id = ? AND period = ?")
                .params(tenantId, Date.valueOf(period.firstDay())).query(Long.class).single());
    }

    /** Usage in {@code [from, to)} by mesh (event time decides), meshes in name order. */
    public Map<String, Usage> byMesh(String tenantId, Instant from, Instant to) {
        return scope.inTenant(tenantId, () -> {
            Map<String, Usage> usage = new LinkedHashMap<>();
            jdbc.sql("""
                            SELECT mesh, sum(proxy_seconds), sum(requests) FROM usage_reports
                            WHERE tenant_id = ? AND event_time >= ? AND event_time < ? GROUP BY mesh ORDER BY mesh""")
                    .params(tenantId, Timestamp.from(from), Timestamp.from(to))
                    .query(rs -> {
                        usage.put(rs.getString(1), new Usage(rs.getLong(2), rs.getLong(3), 1));
                    });
            return usage;
        });
    }

    /** Per tenant, usage in {@code [from, to)}, across tenants: for the operator. */
    public Map<String, Usage> byTenant(Instant from, Instant to) {
        return scope.withoutTenant(() -> {
            Map<String, Usage> usage = new LinkedHashMap<>();
            jdbc.sql("SELECT tenant_id, proxy_seconds, requests, meshes FROM billing_usage_by_tenant(?, ?)")
                    .params(Timestamp.from(from), Timestamp.from(to))
                    .query(rs -> {
                        usage.put(rs.getString(1), new Usage(rs.getLong(2), rs.getLong(3), rs.getLong(4)));
                    });
            return usage;
        });
    }

    private int insert(String table, UsageReport r, Period period, Instant now) {
        return jdbc.sql("INSERT INTO " + table + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                .params(r.proxyId(), r.sequence(), r.tenantId(), r.mesh(), Timestamp.from(r.eventTime()),
                        Date.valueOf(period.firstDay()), r.proxySeconds(), r.requests(), Timestamp.from(now))
                .update();
    }
}
