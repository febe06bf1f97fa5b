package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.database.TenantTransactions;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What proxies tell the control plane on every poll and status report (seen, applied, rejected),
 * written by group commit: a report waits until it is committed, but the reports that arrive while
 * one transaction runs share the next, one per tenant. After a snapshot change a thousand proxies
 * report at once; this turns their thousand writes into a few, out of the way of the wake-up.
 */
@Component
class ProxyReports {
    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final ConcurrentLinkedQueue<Pending> queued = new ConcurrentLinkedQueue<>();
    private final ReentrantLock writing = new ReentrantLock();

    ProxyReports(TenantTransactions transactions, JdbcTemplate jdbc) {
        this.transactions = transactions;
        this.jdbc = jdbc;
    }

    /** One report: {@code version} null for a poll, {@code reason} non-null for a rejection. */
    private record Pending(FleetProxy proxy, String version, String reason, Instant at, CompletableFuture<Void> done) {
    }

    void seen(FleetProxy proxy, Instant at) {
        write(new Pending(proxy, null, null, at, new CompletableFuture<>()));
    }

    void applied(FleetProxy proxy, String version, Instant at) {
        write(new Pending(proxy, version, null, at, new CompletableFuture<>()));
    }

    void rejected(FleetProxy proxy, String version, String reason, Instant at) {
        write(new Pending(proxy, version, reason, at, new CompletableFuture<>()));
    }

    private void write(Pending report) {
        queued.add(report);
        writing.lock();
        try {
            // Whoever holds the lock writes everything queued, this report too unless a previous holder already did.
            if (!report.done().isDone()) commitQueued();
        } finally {
            writing.unlock();
        }
        try {
            report.done().join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private void commitQueued() {
        Map<String, List<Pending>> byTenant = new LinkedHashMap<>();
        for (Pending next; (next = queued.poll()) != null; ) {
            byTenant.computeIfAbsent(next.proxy().tenantId(), tenant -> new ArrayList<>()).add(next);
        }
        byTenant.forEach((tenant, reports) -> {
            try {
                transactions.inTenant(tenant, () -> {
                    // Rows in id order (stable, so one proxy's reports keep theirs): replicas writing at once cannot deadlock.
                    update(reports.stream().sorted(Comparator.comparing(report -> report.proxy().id())).toList());
                    return null;
                });
                reports.forEach(report -> report.done().complete(null));
            } catch (RuntimeException e) {
                reports.forEach(report -> report.done().completeExceptionally(e));
            }
        });
    }

    private void update(List<Pending> reports) {
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
