package dev.trellis.billing;

import java.util.List;

/** A plan change that cannot be made; every reason is listed. Nothing was changed. */
public class PlanChangeRefused extends RuntimeException {
    private final transient List<BillingViolation> violations;

    public PlanChangeRefused(List<BillingViolation> violations) {
        super("the plan change was refused", null, false, false);
        this.violations = List.copyOf(violations);
    }

    public List<BillingViolation> violations() {
        return violations;
    }
}
