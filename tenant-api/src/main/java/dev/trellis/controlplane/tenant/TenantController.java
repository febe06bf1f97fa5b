package dev.trellis.controlplane.tenant;

import dev.trellis.compiler.Documents;
import dev.trellis.controlplane.access.Caller;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.web.JsonBody;
import dev.trellis.controlplane.web.RequestDocument;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.*;

import java.time.Instant;
import java.util.Set;

/** {@code POST /v1/tenants} (operator key) signs a tenant up; {@code GET /v1/tenant} is the caller's own. */
@RestController
class TenantController {
    private final TenantSignup signup;
    private final TenantTransactions transactions;
    private final Tenants tenants;

    TenantController(TenantSignup signup, TenantTransactions transactions, Tenants tenants) {
        this.signup = signup;
        this.transactions = transactions;
        this.tenants = tenants;
    }

    record Created(String id, String name, Instant createdAt, String apiKey) {
    }

    @PostMapping("/v1/tenants")
    @ResponseStatus(HttpStatus.CREATED)
    Created create(@RequestBody(required = false) byte[] body) {
        RequestDocument document = new RequestDocument(JsonBody.object(body), Set.of("name"));
        String name = document.text("name");
        if (name != null) Documents.name(name).forEach(v -> document.violation("name", v.message()));
        document.check();
        TenantSignup.SignedUp result = signup.signUp(name, "operator");
        Tenant tenant = result.tenant();
        return new Created(tenant.id(), tenant.name(), tenant.createdAt(), result.apiKey());
    }

    @GetMapping("/v1/tenant")
    Tenant get(@AuthenticationPrincipal Caller caller) {
        return transactions.inTenant(caller.tenantId(), () -> tenants.find(caller.tenantId()).orElseThrow());
    }
}
