package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.database.GroupCommit;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.web.DatabaseUnavailableFilter;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What proxies tell the control plane on every poll and status report (seen, applied, rejected),
 * written by group commit ({@link GroupCommit}): a report waits until it is committed, but the reports
 * of one tenant that arrive while its transaction runs share the next. After a snapshot change a
 * thousand proxies report at once; this turns their thousand writes into a few, out of the way of the
 * wake-up.
 */
@Component
class ProxyReports {
    /** Most reports one transaction writes by default: small updates, sent as one batch. */
    static final int REPORTS_PER_TRANSACTION = 500;
    /**
     * Most reports of one tenant waiting on a replica by default before the next is refused (503 with
     * Retry-After; the proxy polls again, and sends a status report again, after it): a whole tenant's
     * fleet polling and reporting at once after a snapshot change fits several times over.
     */
    static final int MAX_WAITING = 10_000;

    private final JdbcTemplate jdbc;
    private final GroupCommit<Pending, Boolean> reports;

    ProxyReports(TenantTransactions transactions, JdbcTemplate jdbc,
                 @Value("${trellis.fleet.reports-per-transaction:" + REPORTS_PER_TRANSACTION + "}") int perTransaction,
                 @Value("${trellis.fleet.max-waiting-reports:" + MAX_WAITING + "}") int maxWaiting) {
        this.jdbc = jdbc;
        this.reports = new GroupCommit<>("proxy reports", perTransaction, maxWaiting, DatabaseUnavailableFilter::databaseUnavailable,
                (tenant, pending) -> transactions.inTenant(tenant, () -> {
                    update(pending);
                    return pending.stream().map(p -> true).toList();
                }));
    }

    /** One report: {@code version} null for a poll, {@code reason} non-null for a rejection. */
    private record Pending(FleetProxy proxy, String version, String reason, Instant at) {
    }

    /** @throws GroupCommit.Full when too many of the tenant's reports already wait on this replica */
    void seen(FleetProxy proxy, Instant at) {
        write(new Pending(proxy, null, null, at));
    }

    void applied(FleetProxy proxy, String version, Instant at) {
        write(new Pending(proxy, version, null, at));
    }

    void rejected(FleetProxy proxy, String version, String reason, Instant at) {
        write(new Pending(proxy, version, reason, at));
    }

    private void write(Pending report) {
        reports.submit(report.proxy().tenantId(), report);
    }

    private void update(List<Pending> pending) {
        // Rows in id order (stable, so one proxy's reports keep theirs): replicas writing at once cannot deadlock.
        List<Pending> reports = pending.stream().sorted(Comparator.comparing(report -> report.proxy().id())).toList();
        List<Object[]> seen = new ArrayList<>();
        List<Object[]> applied = new ArrayList<>();
        List<Object[]> rejected = new ArrayList<>();
        for (Pending report : reports) {
            Timestamp at = Timestamp.from(report.at());
            String id = report.proxy().id();
            if (report.version() == null) seen.add(new Object[]{at, id});
            else if (report.reason() == null) applied.add(new Object[]{report.version(), at, id});
            else rejected.add(new Object[]{report.version(), report.reason(), at, id});
        }
        if (!seen.isEmpty()) jdbc.batchUpdate("UPDATE proxies SET last_seen = ? WHERE id = ?", seen);
        if (!applied.isEmpty()) jdbc.batchUpdate("UPDATE proxies SET applied_version = ?, last_seen = ? WHERE id = ?", applied);
        if (!rejected.isEmpty()) {
            jdbc.batchUpdate("UPDATE proxies SET rejected_version = ?, rejection_reason = ?, last_seen = ? WHERE id = ?", rejected);
        }
    }
}
