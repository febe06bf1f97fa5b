package dev.trellis.billing;

import org.springframework.jdbc.core.simple.JdbcClient;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Which plan version each tenant is on, over time. A tenant with no subscription in force is on the
 * default plan, in the newest version published by then; callers run in the tenant's scope.
 */
public final class Subscriptions {
    private final TenantScope scope;
    private final JdbcClient jdbc;
    private final Plans plans;
    private final String defaultPlan;

    Subscriptions(TenantScope scope, Plans plans, String defaultPlan) {
        this.scope = scope;
        this.jdbc = scope.jdbc();
        this.plans = plans;
        this.defaultPlan = defaultPlan;
    }

    private record Row(Instant from, String planId, int planVersion, Limits custom) {
    }

    /** The subscription in force at {@code at}. */
    public Subscription inForce(String tenantId, Instant at) {
        return scope.inTenant(tenantId, () -> rows(tenantId, "effective_from <= ? ORDER BY effective_from DESC LIMIT 1", at).stream()
                .findFirst()
                .map(row -> subscription(tenantId, row))
                .orElseGet(() -> defaulted(tenantId, at)));
    }

    /** The subscriptions in force during {@code [from, to)}, in order, each starting no earlier than {@code from}. */
    List<Subscription> during(String tenantId, Instant from, Instant to) {
        List<Subscription> result = new ArrayList<>();
        result.add(withStart(inForce(tenantId, from), from));
        for (Row row : rows(tenantId, "effective_from > ? AND effective_from < ? ORDER BY effective_from", from, to)) {
            result.add(subscription(tenantId, row));
        }
        return result;
    }

    void put(String tenantId, Plan plan, Instant effectiveFrom, Limits custom, String actor, Instant now) {
        jdbc.sql("""
                        INSERT INTO billing_subscriptions (tenant_id, effective_from, plan_id, plan_version, max_meshes,
                                                           max_services, max_proxies, set_by, set_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(tenantId, Timestamp.from(effectiveFrom), plan.id(), plan.version(), custom.meshes(),
                        custom.services(), custom.connectedProxies(), actor, Timestamp.from(now))
                .update();
    }

    /** Subscriptions starting at or after {@code from}: a new change replaces changes that were scheduled later. */
    void dropFrom(String tenantId, Instant from) {
        jdbc.sql("DELETE FROM billing_subscriptions WHERE tenant_id = ? AND effective_from >= ?")
                .params(tenantId, Timestamp.from(from))
                .update();
    }

    private List<Row> rows(String tenantId, String condition, Instant... times) {
        List<Object> params = new ArrayList<>();
        params.add(tenantId);
        for (Instant time : times) params.add(Timestamp.from(time));
        return jdbc.sql("SELECT effective_from, plan_id, plan_version, max_meshes, max_services, max_proxies "
                        + "FROM billing_subscriptions WHERE tenant_id = ? AND " + condition)
                .params(params)
                .query((rs, n) -> new Row(rs.getTimestamp(1).toInstant(), rs.getString(2), rs.getInt(3),
                        new Limits(Plans.integer(rs, 4), Plans.integer(rs, 5), Plans.integer(rs, 6))))
                .list();
    }

    private Subscription subscription(String tenantId, Row row) {
        Plan plan = plans.find(row.planId(), row.planVersion()).orElseThrow();
        return new Subscription(tenantId, plan, row.from(), row.custom());
    }

    private Subscription defaulted(String tenantId, Instant at) {
        Plan plan = plans.latest(defaultPlan, at)
                .orElseThrow(() -> new IllegalStateException("the default plan " + defaultPlan + " is not in the catalogue"));
        return new Subscription(tenantId, plan, Instant.EPOCH, Limits.none());
    }

    private static Subscription withStart(Subscription subscription, Instant from) {
        return subscription.effectiveFrom().isBefore(from)
                ? new Subscription(subscription.tenantId(), subscription.plan(), from, subscription.custom())
                : subscription;
    }
}
