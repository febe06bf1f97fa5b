package dev.trellis.controlplane.billing;

import dev.trellis.billing.Billing;
import dev.trellis.billing.Period;
import dev.trellis.controlplane.tenant.Tenants;
import dev.trellis.controlplane.web.InvalidRequest;
import dev.trellis.controlplane.web.JsonBody;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;

import static dev.trellis.controlplane.billing.BillingDocuments.*;

/** The platform operator's side (operator key, {@code /v1/operator/**}): set a tenant's plan, see usage across tenants, close a month. */
@RestController
class OperatorBillingController {
    private final Billing billing;
    private final Tenants tenants;
    private final PlanSwitch planSwitch;

    OperatorBillingController(Billing billing, Tenants tenants, PlanSwitch planSwitch) {
        this.billing = billing;
        this.tenants = tenants;
        this.planSwitch = planSwitch;
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

    /** Finalises every tenant's invoice of a month whose grace is over; a second call finalises nothing more. */
    @PostMapping("/v1/operator/billing/periods/{period}/close")
    Closed close(@PathVariable String period) {
        Period month = Period.parse(period).orElseThrow(() -> InvalidRequest.of("period", "must be a month such as 2026-11"));
        return new Closed(month.toString(), billing.invoices().closePeriod(month));
    }
}
