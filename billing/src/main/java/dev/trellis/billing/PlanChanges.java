package dev.trellis.billing;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Moves a tenant to a plan version from a stated instant. The month it happens in is split there:
 * each part is rated with the plan in force (see {@link Rating}). A change may not reach into a period
 * that is closed (grace over or invoice finalised), nor change the currency in the middle of a month.
 * A change replaces any change scheduled at or after its instant.
 */
public final class PlanChanges {
    private final TenantScope scope;
    private final Plans plans;
    private final Subscriptions subscriptions;
    private final Invoices invoices;
    private final Clock clock;
    private final java.time.Duration grace;

    PlanChanges(TenantScope scope, Plans plans, Subscriptions subscriptions, Invoices invoices, Clock clock,
                java.time.Duration grace) {
        this.scope = scope;
        this.plans = plans;
        this.subscriptions = subscriptions;
        this.invoices = invoices;
        this.clock = clock;
        this.grace = grace;
    }

    /**
     * @param version       null for the newest published version
     * @param effectiveFrom null for now
     * @param custom        limits replacing the plan's (operator only; {@link Limits#none()} otherwise)
     * @param byOperator    whether the platform operator asks (only it may choose a plan that is not self-service)
     * @throws BillingRefused with every reason, when the change cannot be made; nothing is changed then
     */
    public Subscription change(String tenantId, String planId, Integer version, Instant effectiveFrom, Limits custom,
                               boolean byOperator, String actor) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant from = effectiveFrom == null ? now : effectiveFrom.truncatedTo(ChronoUnit.MICROS);
        return scope.inTenant(tenantId, () -> {
            List<BillingViolation> violations = new ArrayList<>();
            Optional<Plan> plan = planId == null ? Optional.empty()
                    : version == null ? plans.latest(planId, now) : plans.find(planId, version);
            if (plan.isEmpty()) {
                violations.add(new BillingViolation(version == null ? "plan" : "version",
                        planId == null ? "is required" : "no such plan" + (version == null ? "" : " version")));
            } else if (!plan.get().selfService() && !byOperator) {
                violations.add(new BillingViolation("plan", "the " + plan.get().name() + " plan is set by the operator"));
            }
            if (!byOperator && from.isBefore(now)) {
                violations.add(new BillingViolation("effectiveFrom", "must not be in the past"));
            }
            Period period = Period.of(from);
            if (!now.isBefore(period.graceEnd(grace)) || invoices.lockPeriod(tenantId, period, true).isPresent()) {
                violations.add(new BillingViolation("effectiveFrom", "falls in " + period + ", which is closed"));
            }
            if (plan.isPresent() && !from.equals(period.start())) {
                Subscription before = subscriptions.inForce(tenantId, period.start());
                if (!before.plan().currency().equals(plan.get().currency())) {
                    violations.add(new BillingViolation("plan", "is priced in " + plan.get().currency()
                            + "; a change of currency takes effect at the start of a month"));
                }
            }
            if (!violations.isEmpty()) throw new BillingRefused(violations);
            subscriptions.dropFrom(tenantId, from);
            subscriptions.put(tenantId, plan.get(), from, custom, actor, now);
            return subscriptions.inForce(tenantId, from);
        });
    }
}
