package dev.trellis.billing;

import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Clock;
import java.util.function.LongSupplier;

/**
 * The plan's limits, checked where they bite: before a write that creates a mesh or a service, before
 * a proxy registers. Counting is exact under concurrency: the check takes a transaction-scoped advisory
 * lock on the tenant, so two replicas admitting the last allowed one at once serialise, and the second
 * counts the first. Must run inside the caller's write transaction (so the lock lasts until it commits).
 */
public final class Quotas {
    private final TenantScope scope;
    private final JdbcClient jdbc;
    private final Subscriptions subscriptions;
    private final Clock clock;

    Quotas(TenantScope scope, Subscriptions subscriptions, Clock clock) {
        this.scope = scope;
        this.jdbc = scope.jdbc();
        this.subscriptions = subscriptions;
        this.clock = clock;
    }

    /**
     * Admits one more of {@code quota}, or refuses it.
     *
     * @param current counts what the tenant has now; called after the lock is held
     * @throws QuotaExceeded when the tenant already has as many as its plan allows
     */
    public void admitOne(String tenantId, Quota quota, LongSupplier current) {
        scope.inTenant(tenantId, () -> {
            admit(tenantId, quota, current);
            return null;
        });
    }

    private void admit(String tenantId, Quota quota, LongSupplier current) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))").param("trellis.quota:" + tenantId)
                .query(Object.class).single();
        Subscription subscription = subscriptions.inForce(tenantId, clock.instant());
        Integer limit = quota.limitIn(subscription.limits());
        if (limit == null) return;
        long count = current.getAsLong();
        if (count >= limit) throw new QuotaExceeded(quota, limit, count, subscription.plan().reference());
    }
}
