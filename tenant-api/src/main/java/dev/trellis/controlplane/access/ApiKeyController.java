package dev.trellis.controlplane.access;

import dev.trellis.controlplane.audit.AuditLog;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.web.JsonBody;
import dev.trellis.controlplane.web.Page;
import dev.trellis.controlplane.web.PageRequest;
import dev.trellis.controlplane.web.RequestDocument;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.*;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.Set;

/** {@code /v1/api-keys}: machine credentials of the caller's tenant. Admins and owners manage them. */
@RestController
@RequestMapping("/v1/api-keys")
class ApiKeyController {
    private final TenantTransactions transactions;
    private final ApiKeys keys;
    private final AuditLog audit;
    private final JsonMapper json;

    ApiKeyController(TenantTransactions transactions, ApiKeys keys, AuditLog audit, JsonMapper json) {
        this.transactions = transactions;
        this.keys = keys;
        this.audit = audit;
        this.json = json;
    }

    /** The answer that creates a key is the only one that ever holds its secret. */
    record CreatedKey(String id, String name, Role role, String createdBy, Instant createdAt, String apiKey) {
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    CreatedKey create(@AuthenticationPrincipal Caller caller, @RequestBody(required = false) byte[] body) {
        caller.require(Role.ADMIN);
        RequestDocument document = new RequestDocument(JsonBody.object(body), Set.of("name", "role"));
        String name = document.text("name");
        Role role = document.parsed("role", Role::parse, "must be one of owner, admin, editor, viewer");
        if (name != null && (name.isBlank() || name.length() > 100)) document.violation("name", "must have 1 to 100 characters");
        document.check();
        if (role == Role.OWNER) caller.require(Role.OWNER);
        return transactions.inTenant(caller.tenantId(), () -> {
            ApiKeys.Created created = keys.create(caller.tenantId(), name, role, caller.subject());
            ApiKey key = created.key();
            audit.record(caller, "api-key.create", "api-keys/" + key.id(), null, json.valueToTree(key));
            return new CreatedKey(key.id(), key.name(), key.role(), key.createdBy(), key.createdAt(), created.token());
        });
    }

    @GetMapping
    Page<ApiKey> list(@AuthenticationPrincipal Caller caller,
                      @RequestParam(required = false) String limit, @RequestParam(required = false) String cursor) {
        caller.require(Role.ADMIN);
        PageRequest page = PageRequest.of(limit, cursor);
        return transactions.inTenant(caller.tenantId(), () -> keys.page(caller.tenantId(), page));
    }

    @GetMapping("/{id}")
    ApiKey get(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        caller.require(Role.ADMIN);
        return transactions.inTenant(caller.tenantId(),
                () -> keys.find(caller.tenantId(), id).orElseThrow(() -> new ApiKeyNotFound(id)));
    }

    /** Revokes at once: every request looks its key up again. */
    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        caller.require(Role.ADMIN);
        transactions.inTenant(caller.tenantId(), () -> {
            ApiKey before = keys.find(caller.tenantId(), id).orElseThrow(() -> new ApiKeyNotFound(id));
            if (before.role() == Role.OWNER) caller.require(Role.OWNER);
            if (before.revokedAt() != null) return null;
            keys.revoke(caller.tenantId(), id);
            audit.record(caller, "api-key.revoke", "api-keys/" + id, json.valueToTree(before),
                    json.valueToTree(keys.find(caller.tenantId(), id).orElseThrow()));
            return null;
        });
    }
}
