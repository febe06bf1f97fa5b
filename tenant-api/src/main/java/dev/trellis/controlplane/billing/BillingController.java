package dev.trellis.controlplane.billing;

import dev.trellis.billing.Billing;
import dev.trellis.billing.Invoice;
import dev.trellis.controlplane.access.Caller;
import dev.trellis.controlplane.access.Role;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.web.JsonBody;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;

import static dev.trellis.controlplane.billing.BillingDocuments.*;

/**
 * A tenant's side of billing: the catalogue, its plan, usage and invoices. Every role reads; only
 * owners and admins change the plan (to a self-service one; enterprise is the operator's).
 */
@RestController
class BillingController {
    private final Billing billing;
    private final TenantTransactions transactions;
    private final QuotaChecks quotas;
    private final PlanSwitch planSwitch;

    BillingController(Billing billing, TenantTransactions transactions, QuotaChecks quotas, PlanSwitch planSwitch) {
        this.billing = billing;
        this.transactions = transactions;
        this.quotas = quotas;
        this.planSwitch = planSwitch;
    }

    @GetMapping("/v1/plans")
    Items<PlanDocument> plans() {
        return new Items<>(billing.plans().current(Instant.now()).stream().map(PlanDocument::of).toList());
    }

    @GetMapping("/v1/billing/plan")
    SubscriptionDocument plan(@AuthenticationPrincipal Caller caller) {
        Instant now = TenantTransactions.now();
        return transactions.inTenant(caller.tenantId(), () -> SubscriptionDocument.of(
                billing.subscriptions().inForce(caller.tenantId(), now), quotas.counts(caller.tenantId(), now)));
    }

    @PutMapping("/v1/billing/plan")
    SubscriptionDocument changePlan(@AuthenticationPrincipal Caller caller, @RequestBody(required = false) byte[] body) {
        caller.require(Role.ADMIN);
        PlanRequest request = PlanRequest.parse(JsonBody.object(body), false);
        return planSwitch.change(caller.tenantId(), request, false, caller.subject(), () -> {
        });
    }

    @GetMapping("/v1/billing/usage")
    UsageDocument usage(@AuthenticationPrincipal Caller caller, @RequestParam(required = false) String from,
                        @RequestParam(required = false) String to) {
        UsageWindow window = UsageWindow.parse(from, to, Instant.now());
        return UsageDocument.of(window.from(), window.to(),
                billing.usage().byMesh(caller.tenantId(), window.from(), window.to()));
    }

    @GetMapping("/v1/billing/invoices")
    Items<InvoiceSummary> invoices(@AuthenticationPrincipal Caller caller) {
        return new Items<>(billing.invoices().list(caller.tenantId()).stream().map(InvoiceSummary::of).toList());
    }

    /** The same invoice as a CSV file to download (text/csv, one row per line and a total row). */
    @GetMapping(value = "/v1/billing/invoices/{id}/csv", produces = "text/csv;charset=UTF-8")
    ResponseEntity<String> invoiceCsv(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        Invoice invoice = billing.invoices().find(caller.tenantId(), id).orElseThrow(() -> new InvoiceNotFound(id));
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename(InvoiceCsv.fileName(invoice)).build().toString())
                .body(InvoiceCsv.of(invoice));
    }

    @GetMapping("/v1/billing/invoices/{id}")
    InvoiceDocument invoice(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        Invoice invoice = billing.invoices().find(caller.tenantId(), id).orElseThrow(() -> new InvoiceNotFound(id));
        return InvoiceDocument.of(invoice, billing.usage().lateReports(caller.tenantId(), invoice.period()),
                billing.creditNotes().of(caller.tenantId(), invoice));
    }
}
