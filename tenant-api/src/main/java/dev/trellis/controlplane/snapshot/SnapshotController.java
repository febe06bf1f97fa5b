package dev.trellis.controlplane.snapshot;

import dev.trellis.controlplane.access.Caller;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.mesh.MeshNotFound;
import dev.trellis.controlplane.mesh.MeshResources;
import dev.trellis.controlplane.mesh.ResourceNotFound;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/meshes/{mesh}/snapshots/{service}}: the compiled snapshot, byte for byte what
 * the service's proxies receive, so it can be saved and given to a proxy as TRELLIS_SNAPSHOT_FILE.
 */
@RestController
class SnapshotController {
    private final TenantTransactions transactions;
    private final MeshResources resources;
    private final SnapshotStore snapshots;

    SnapshotController(TenantTransactions transactions, MeshResources resources, SnapshotStore snapshots) {
        this.transactions = transactions;
        this.resources = resources;
        this.snapshots = snapshots;
    }

    @GetMapping("/v1/meshes/{mesh}/snapshots/{service}")
    ResponseEntity<byte[]> get(@AuthenticationPrincipal Caller caller, @PathVariable String mesh, @PathVariable String service) {
        SnapshotStore.Stored stored = transactions.inTenant(caller.tenantId(), () -> {
            if (!resources.meshExists(caller.tenantId(), mesh)) throw new MeshNotFound(mesh);
            return snapshots.find(caller.tenantId(), mesh, service)
                    .orElseThrow(() -> new ResourceNotFound("snapshot for service " + service + " in mesh " + mesh));
        });
        return ResponseEntity.ok()
                .eTag("\"" + stored.version() + "\"")
                .contentType(MediaType.APPLICATION_JSON)
                .body(stored.body());
    }
}
