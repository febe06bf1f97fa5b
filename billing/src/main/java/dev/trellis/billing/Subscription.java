package dev.trellis.billing;

import java.time.Instant;

/**
 * A tenant's plan from {@code effectiveFrom} until the next subscription's start.
 *
 * @param custom limits that replace the plan's (enterprise); all null when none
 */
public record Subscription(String tenantId, Plan plan, Instant effectiveFrom, Limits custom) {

    /** What holds: the plan's limits with the custom ones in their place. */
    public Limits limits() {
        return plan.limits().overriddenBy(custom);
    }
}
