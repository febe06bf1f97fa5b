package dev.trellis.controlplane.billing;

import dev.trellis.billing.Billing;
import dev.trellis.billing.Subscription;
import dev.trellis.controlplane.audit.AuditLog;
import dev.trellis.controlplane.database.TenantTransactions;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

import static dev.trellis.controlplane.billing.BillingDocuments.SubscriptionDocument;

/** A plan change and its audit event (before and after), in one transaction of the tenant concerned. */
@Service
class PlanSwitch {
    private final Billing billing;
    private final TenantTransactions transactions;
    private final AuditLog audit;
    private final JsonMapper json;

    PlanSwitch(Billing billing, TenantTransactions transactions, AuditLog audit, JsonMapper json) {
        this.billing = billing;
        this.transactions = transactions;
        this.audit = audit;
        this.json = json;
    }

    /** @param guard runs first in the transaction (the operator's check that the tenant exists) */
    SubscriptionDocument change(String tenantId, PlanRequest request, boolean byOperator, String actor, Runnable guard) {
        return transactions.inTenant(tenantId, () -> {
            guard.run();
            Subscription before = billing.subscriptions().inForce(tenantId, TenantTransactions.now());
            Subscription after = billing.planChanges().change(tenantId, request.plan(), request.version(),
                    request.effectiveFrom(), request.limits(), byOperator, actor);
            SubscriptionDocument answer = SubscriptionDocument.of(after, null);
            audit.record(tenantId, actor, "billing.plan", "billing/plan", json.valueToTree(SubscriptionDocument.of(before, null)),
                    json.valueToTree(answer));
            return answer;
        });
    }
}
