package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.access.Caller;
import dev.trellis.controlplane.access.Role;
import dev.trellis.controlplane.audit.AuditLog;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.mesh.MeshNotFound;
import dev.trellis.controlplane.mesh.MeshResources;
import dev.trellis.controlplane.mesh.ResourceNotFound;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code DELETE /v1/meshes/{mesh}/task-tokens/{id}}: revokes a task token; proxies already registered keep their identity. */
@RestController
class TaskTokenController {
    private final TenantTransactions transactions;
    private final MeshResources resources;
    private final TaskTokens tokens;
    private final AuditLog audit;

    TaskTokenController(TenantTransactions transactions, MeshResources resources, TaskTokens tokens, AuditLog audit) {
        this.transactions = transactions;
        this.resources = resources;
        this.tokens = tokens;
        this.audit = audit;
    }

    @DeleteMapping("/v1/meshes/{mesh}/task-tokens/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@AuthenticationPrincipal Caller caller, @PathVariable String mesh, @PathVariable String id) {
        caller.require(Role.EDITOR);
        transactions.inTenant(caller.tenantId(), () -> {
            if (!resources.meshExists(caller.tenantId(), mesh)) throw new MeshNotFound(mesh);
            String path = "meshes/" + mesh + "/task-tokens/" + id;
            if (!tokens.revoke(caller.tenantId(), mesh, id, TenantTransactions.now())) throw new ResourceNotFound(path);
            audit.record(caller, "task-token.revoke", path, null, null);
            return null;
        });
    }
}
