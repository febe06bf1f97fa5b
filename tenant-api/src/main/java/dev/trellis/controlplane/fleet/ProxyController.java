package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.access.Caller;
import dev.trellis.controlplane.access.Role;
import dev.trellis.controlplane.audit.AuditLog;
import dev.trellis.controlplane.billing.RegistrationRefusals;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.mesh.MeshNotFound;
import dev.trellis.controlplane.mesh.MeshResources;
import dev.trellis.controlplane.mesh.ResourceNotFound;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;

/**
 * {@code GET /v1/meshes/{mesh}/proxies}: the mesh's fleet, which proxy runs what, what it applied or
 * rejected and why, and which are stale; {@code DELETE …/proxies/{id}} revokes one (editor and up).
 */
@RestController
class ProxyController {
    private final TenantTransactions transactions;
    private final MeshResources resources;
    private final Proxies proxies;
    private final FleetEndpoints endpoints;
    private final RecentProxyTokens recentTokens;
    private final AuditLog audit;
    private final JsonMapper json;
    private final RegistrationRefusals refusals;

    ProxyController(TenantTransactions transactions, MeshResources resources, Proxies proxies, FleetEndpoints endpoints,
                    RecentProxyTokens recentTokens, AuditLog audit, JsonMapper json, RegistrationRefusals refusals) {
        this.transactions = transactions;
        this.resources = resources;
        this.proxies = proxies;
        this.endpoints = endpoints;
        this.recentTokens = recentTokens;
        this.audit = audit;
        this.json = json;
        this.refusals = refusals;
    }

    /** The fleet page, with the registrations a quota refused (they have no proxy to list). */
    record ProxyList(List<Proxies.Listed> items, String nextCursor, List<RegistrationRefusals.Refusal> refusedRegistrations) {
    }

    @GetMapping("/v1/meshes/{mesh}/proxies")
    ProxyList list(@AuthenticationPrincipal Caller caller, @PathVariable String mesh) {
        caller.require(Role.VIEWER);
        return transactions.inTenant(caller.tenantId(), () -> {
            if (!resources.meshExists(caller.tenantId(), mesh)) throw new MeshNotFound(mesh);
            return new ProxyList(proxies.list(caller.tenantId(), mesh, endpoints.ttl()), null,
                    refusals.list(caller.tenantId(), mesh));
        });
    }

    /**
     * Revokes a proxy: its token stops working at once on this replica (within the token cache's
     * lifetime on others), so its next poll, heartbeat and renewal fail, and callers' snapshots drop
     * its endpoint. Its current certificate is not recalled; it can no longer be renewed.
     */
    @DeleteMapping("/v1/meshes/{mesh}/proxies/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@AuthenticationPrincipal Caller caller, @PathVariable String mesh, @PathVariable String id) {
        caller.require(Role.EDITOR);
        Proxies.Listed before = transactions.inTenant(caller.tenantId(), () -> {
            Proxies.Listed revoked = endpoints.revoke(caller.tenantId(), mesh, id)
                    .orElseThrow(() -> new ResourceNotFound("proxy " + id + " in mesh " + mesh));
            audit.record(caller, "proxy.delete", "meshes/" + mesh + "/proxies/" + id, json.valueToTree(revoked), null);
            return revoked;
        });
        recentTokens.forget(before.id());
    }
}
