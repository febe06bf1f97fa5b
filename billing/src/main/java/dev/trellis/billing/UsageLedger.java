package dev.trellis.billing;

import org.springframework.jdbc.core.simple.JdbcClient;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
        return record(List.of(report)).getFirst();
    }

    /**
     * Records one tenant's reports (what a proxy sends at once, such as the ones it kept during an
     * outage) in one transaction; answers what became of each, in order. A report repeated within the
     * batch is a duplicate the second time.
     *
     * @throws IllegalArgumentException when the reports are not all of one tenant
     */
    public List<Recorded> record(List<UsageReport> reports) {
        if (reports.isEmpty()) return List.of();
        String tenantId = reports.getFirst().tenantId();
        if (reports.stream().anyMatch(r -> !r.tenantId().equals(tenantId))) {
            throw new IllegalArgumentException("a batch of usage reports belongs to one tenant");
        }
        return scope.inTenant(tenantId, () -> {
            Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
            Map<Period, Boolean> closed = new HashMap<>();
            List<Recorded> outcomes = new ArrayList<>(reports.size());
            for (UsageReport report : reports) {
                Period period = Period.of(report.eventTime());
                // The common case in one statement: the period's row exists and is open, and the report is new.
                if (!closed.containsKey(period) && now.isBefore(period.graceEnd(grace)) && insertIfOpen(report, period, now) == 1) {
                    closed.put(period, false);
                    outcomes.add(Recorded.ACCEPTED);
                    continue;
                }
                boolean late = closed.computeIfAbsent(period, p -> invoices.lockPeriod(tenantId, p, false).isPresent()
                        || !now.isBefore(p.graceEnd(grace)));
                outcomes.add(late ? late(report, period, now)
                        : insert("billing_usage_reports", report, period, now) == 1 ? Recorded.ACCEPTED : Recorded.DUPLICATE);
            }
            return outcomes;
        });
    }

    private Recorded late(UsageReport report, Period period, Instant now) {
        boolean known = jdbc.sql("SELECT 1 FROM billing_usage_reports WHERE proxy_id = ? AND sequence = ?")
                .params(report.proxyId(), report.sequence()).query(Integer.class).optional().isPresent();
        if (known) return Recorded.DUPLICATE;
        insert("billing_late_usage_reports", report, period, now);
        return Recorded.LATE;
    }

    /** How many distinct reports of the period came too late to count. */
    public long lateReports(String tenantId, Period period) {
        return scope.inTenant(tenantId, () -> jdbc.sql("SELECT count(*) FROM billing_late_usage_reports WHERE tenant_id = ? AND period = ?")
                .params(tenantId, Date.valueOf(period.firstDay())).query(Long.class).single());
    }

    /** Usage in {@code [from, to)} by mesh (event time decides), meshes in name order. */
    public Map<String, Usage> byMesh(String tenantId, Instant from, Instant to) {
        return scope.inTenant(tenantId, () -> {
            Map<String, Usage> usage = new LinkedHashMap<>();
            jdbc.sql("""
                            SELECT mesh, sum(proxy_seconds), sum(requests) FROM billing_usage_reports
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

    /**
     * Inserts the report if its period's row exists and is not finalised, holding that row FOR SHARE as
     * {@link Invoices#lockPeriod} does; 0 when it does not exist, is finalised or the report was counted
     * before (the caller then takes the path that tells these apart).
     */
    private int insertIfOpen(UsageReport r, Period period, Instant now) {
        Date day = Date.valueOf(period.firstDay());
        return jdbc.sql("WITH open_period AS (SELECT 1 FROM billing_periods WHERE tenant_id = ? AND period = ? AND finalized_at IS NULL FOR SHARE)"
                        + " INSERT INTO billing_usage_reports (" + COLUMNS + ") SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? FROM open_period"
                        + " ON CONFLICT DO NOTHING")
                .params(r.tenantId(), day, r.proxyId(), r.sequence(), r.tenantId(), r.mesh(), Timestamp.from(r.eventTime()), day,
                        r.proxySeconds(), r.requests(), Timestamp.from(now))
                .update();
    }

    private int insert(String table, UsageReport r, Period period, Instant now) {
        return jdbc.sql("INSERT INTO " + table + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                .params(r.proxyId(), r.sequence(), r.tenantId(), r.mesh(), Timestamp.from(r.eventTime()),
                        Date.valueOf(period.firstDay()), r.proxySeconds(), r.requests(), Timestamp.from(now))
                .update();
    }
}
