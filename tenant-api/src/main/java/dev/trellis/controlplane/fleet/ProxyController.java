package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.access.Caller;
import dev.trellis.controlplane.access.Role;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.mesh.MeshNotFound;
import dev.trellis.controlplane.mesh.MeshResources;
import dev.trellis.controlplane.web.Page;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/meshes/{mesh}/proxies}: the mesh's fleet, which proxy runs what, what it applied or rejected and why. */
@RestController
class ProxyController {
    private final TenantTransactions transactions;
    private final MeshResources resources;
    private final Proxies proxies;

    ProxyController(TenantTransactions transactions, MeshResources resources, Proxies proxies) {
        this.transactions = transactions;
        this.resources = resources;
        this.proxies = proxies;
    }

    @GetMapping("/v1/meshes/{mesh}/proxies")
    Page<Proxies.Listed> list(@AuthenticationPrincipal Caller caller, @PathVariable String mesh) {
        caller.require(Role.VIEWER);
        return transactions.inTenant(caller.tenantId(), () -> {
            if (!resources.meshExists(caller.tenantId(), mesh)) throw new MeshNotFound(mesh);
            return new Page<>(proxies.list(caller.tenantId(), mesh), null);
        });
    }
}
