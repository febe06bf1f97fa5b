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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The usage ingestion contract: {@link #record(UsageReport)} counts each report once by its
 * {@code (proxy id, sequence)} (a unique key, so any number of replicas may receive resends), accepts
 * reports of a period until its grace ends, and refuses later ones, counting them as late.
 */
public final class UsageLedger {
    private static final String COLUMNS = "proxy_id, sequence, tenant_id, mesh, event_time, period, proxy_seconds, requests, received_at";
    private static final int MAX_REPORTS_PER_STATEMENT = 1000;
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
            // The common case in one statement per period (a batch has one, or two at a month's turn): the period's
            // row exists and is open, and the reports are new.
            Map<Period, List<UsageReport>> inGrace = new LinkedHashMap<>();
            for (UsageReport report : reports) {
                Period period = Period.of(report.eventTime());
                if (now.isBefore(period.graceEnd(grace))) inGrace.computeIfAbsent(period, p -> new ArrayList<>()).add(report);
            }
            Set<String> inserted = new HashSet<>();
            inGrace.forEach((period, some) -> {
                // Nine parameters a report; PostgreSQL takes at most 65,535 in one statement.
                for (int from = 0; from < some.size(); from += MAX_REPORTS_PER_STATEMENT) {
                    inserted.addAll(insertIfOpen(some.subList(from, Math.min(some.size(), from + MAX_REPORTS_PER_STATEMENT)), period, now));
                }
            });
            Map<Period, Boolean> closed = new HashMap<>();
            List<Recorded> outcomes = new ArrayList<>(reports.size());
            for (UsageReport report : reports) {
                Period period = Period.of(report.eventTime());
                // Removed once taken: the same report again in the batch is then a duplicate, found below.
                if (inserted.remove(key(report.proxyId(), report.sequence()))) {
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
     * Inserts the reports (all of {@code period}) if the period's row exists and is not finalised, holding
     * that row FOR SHARE as {@link Invoices#lockPeriod} does; answers the keys inserted ({@link #key}): none
     * when the row does not exist or is finalised, and not those counted before (the caller then takes the
     * path that tells these apart).
     */
    private List<String> insertIfOpen(List<UsageReport> reports, Period period, Instant now) {
        Date day = Date.valueOf(period.firstDay());
        StringBuilder rows = new StringBuilder();
        List<Object> params = new ArrayList<>(List.of(reports.getFirst().tenantId(), day));
        for (UsageReport r : reports) {
            if (!rows.isEmpty()) rows.append(", ");
            rows.append("(?::text, ?::bigint, ?::text, ?::text, ?::timestamptz, ?::date, ?::bigint, ?::bigint, ?::timestamptz)");
            params.addAll(List.of(r.proxyId(), r.sequence(), r.tenantId(), r.mesh(), Timestamp.from(r.eventTime()), day,
                    r.proxySeconds(), r.requests(), Timestamp.from(now)));
        }
        return jdbc.sql("WITH open_period AS (SELECT 1 FROM billing_periods WHERE tenant_id = ? AND period = ? AND finalized_at IS NULL FOR SHARE)"
                        + " INSERT INTO billing_usage_reports (" + COLUMNS + ") SELECT v.* FROM (VALUES " + rows + ") AS v, open_period"
                        + " ON CONFLICT DO NOTHING RETURNING proxy_id, sequence")
                .params(params)
                .query((rs, n) -> key(rs.getString(1), rs.getLong(2)))
                .list();
    }

    private static String key(String proxyId, long sequence) {
        return proxyId + "\u0000" + sequence;
    }

    private int insert(String table, UsageReport r, Period period, Instant now) {
        return jdbc.sql("INSERT INTO " + table + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                .params(r.proxyId(), r.sequence(), r.tenantId(), r.mesh(), Timestamp.from(r.eventTime()),
                        Date.valueOf(period.firstDay()), r.proxySeconds(), r.requests(), Timestamp.from(now))
                .update();
    }
}
