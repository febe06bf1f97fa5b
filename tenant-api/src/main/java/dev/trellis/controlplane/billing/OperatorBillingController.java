package dev.trellis.controlplane.billing;

import dev.trellis.billing.Billing;
import dev.trellis.billing.CreditNote;
import dev.trellis.billing.Invoice;
import dev.trellis.billing.Period;
import dev.trellis.controlplane.audit.AuditLog;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.tenant.Tenants;
import dev.trellis.controlplane.web.ApiViolation;
import dev.trellis.controlplane.web.InvalidRequest;
import dev.trellis.controlplane.web.JsonBody;
import dev.trellis.controlplane.web.RequestDocument;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static dev.trellis.controlplane.billing.BillingDocuments.*;

/**
 * The platform operator's side (operator key, {@code /v1/operator/**}): set a tenant's plan, see usage
 * across tenants, close a month, credit a finalised invoice.
 */
@RestController
class OperatorBillingController {
    private static final int MAX_REASON = 1000;
    private final Billing billing;
    private final Tenants tenants;
    private final PlanSwitch planSwitch;
    private final TenantTransactions transactions;
    private final AuditLog audit;
    private final JsonMapper json;

    OperatorBillingController(Billing billing, Tenants tenants, PlanSwitch planSwitch, TenantTransactions transactions,
                              AuditLog audit, JsonMapper json) {
        this.billing = billing;
        this.tenants = tenants;
        this.planSwitch = planSwitch;
        this.transactions = transactions;
        this.audit = audit;
        this.json = json;
    }

    @PutMapping("/v1/operator/tenants/{tenant}/plan")
    SubscriptionDocument setPlan(@PathVariable String tenant, @RequestBody(required = false) byte[] body) {
        PlanRequest request = PlanRequest.parse(JsonBody.object(body), true);
        return planSwitch.change(tenant, request, true, "operator", () -> {
            if (tenants.find(tenant).isEmpty()) throw new TenantNotFound(tenant);
        });
    }

    @GetMapping("/v1/operator/billing/usage")
    Items<TenantUsage> usage(@RequestParam(required = false) String from, @RequestParam(required = false) String to) {
        UsageWindow window = UsageWindow.parse(from, to, Instant.now());
        return new Items<>(billing.usage().byTenant(window.from(), window.to()).entrySet().stream()
                .map(e -> new TenantUsage(e.getKey(), e.getValue().proxySeconds(), e.getValue().requests(), e.getValue().meshes()))
                .toList());
    }

    /** A correction to a finalised invoice: {@code {"amountMinor": 1000, "reason": "…"}}; the invoice itself never changes. */
    @PostMapping("/v1/operator/billing/invoices/{id}/credit-notes")
    @ResponseStatus(HttpStatus.CREATED)
    CreditNoteDocument credit(@PathVariable String id, @RequestBody(required = false) byte[] body) {
        JsonNode document = JsonBody.object(body);
        RequestDocument request = new RequestDocument(document, Set.of("amountMinor", "reason"));
        JsonNode amount = document.get("amountMinor");
        if (amount == null || !amount.isIntegralNumber() || !amount.canConvertToLong()) {
            request.violation("amountMinor", "must be an integer of minor units");
        }
        String reason = request.text("reason");
        if (reason != null && reason.length() > MAX_REASON) request.violation("reason", "must be at most " + MAX_REASON + " characters");
        request.check();
        String tenant = Invoice.tenantOf(id).orElseThrow(() -> new InvoiceNotFound(id));
        return transactions.inTenant(tenant, () -> {
            if (tenants.find(tenant).isEmpty()) throw new InvoiceNotFound(id);
            Invoice invoice = billing.invoices().find(tenant, id).orElseThrow(() -> new InvoiceNotFound(id));
            CreditNote note = billing.creditNotes().issue(tenant, invoice, amount.asLong(), reason, "operator");
            CreditNoteDocument answer = CreditNoteDocument.of(note);
            audit.record(tenant, "operator", "billing.credit-note", "billing/invoices/" + id, null, json.valueToTree(answer));
            return answer;
        });
    }

    /**
     * Finalises every tenant's invoice of a month whose grace is over; a second call finalises nothing more.
     * {@code asOf} runs the close for that instant instead of now (an early close when it is ahead of the
     * clock: the month's reports that arrive later are late); the grace must be over at {@code asOf}.
     */
    @PostMapping("/v1/operator/billing/periods/{period}/close")
    Closed close(@PathVariable String period, @RequestParam(required = false) String asOf) {
        Period month = Period.parse(period).orElse(null);
        Instant at = asOf == null ? Instant.now() : PlanRequest.instant(asOf).orElse(null);
        List<ApiViolation> violations = new ArrayList<>();
        if (month == null) violations.add(ApiViolation.at("period", "must be a month such as 2026-11"));
        if (at == null) violations.add(ApiViolation.at("asOf", "must be an RFC 3339 time such as 2027-01-03T00:00:00Z"));
        if (!violations.isEmpty()) throw new InvalidRequest(violations);
        return new Closed(month.toString(), billing.invoices().closePeriod(month, at));
    }
}
