package dev.trellis.billing;

import java.util.List;

/** A billing request (a plan change, a credit note) that cannot be made; every reason is listed. Nothing was changed. */
public class BillingRefused extends RuntimeException {
    private final transient List<BillingViolation> violations;

    public BillingRefused(List<BillingViolation> violations) {
        super("the request was refused", null, false, false);
        this.violations = List.copyOf(violations);
    }

    public List<BillingViolation> violations() {
        return violations;
    }
}
