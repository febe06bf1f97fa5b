package dev.trellis.controlplane.fleet;

import dev.trellis.compiler.Documents;
import dev.trellis.compiler.ServiceSpec;
import dev.trellis.compiler.document.Durations;
import dev.trellis.controlplane.access.Caller;
import dev.trellis.controlplane.access.Role;
import dev.trellis.controlplane.audit.AuditLog;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.mesh.MeshNotFound;
import dev.trellis.controlplane.mesh.MeshResources;
import dev.trellis.controlplane.mesh.ResourceInUse;
import dev.trellis.controlplane.mesh.ResourceKind;
import dev.trellis.controlplane.mesh.ResourceNotFound;
import dev.trellis.controlplane.web.InvalidRequest;
import dev.trellis.controlplane.web.JsonBody;
import dev.trellis.controlplane.web.RequestDocument;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.*;
import tools.jackson.databind.node.JsonNodeFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * {@code POST /v1/meshes/{mesh}/join-tokens}: a short-lived token for one workload
 * ({@code service}, optional {@code version}, {@code ttl}, default 10m, at most 24h). Editors and up.
 */
@RestController
class JoinTokenController {
    private static final long MAX_TTL_MILLIS = Duration.ofHours(24).toMillis();

    private final TenantTransactions transactions;
    private final MeshResources resources;
    private final JoinTokens tokens;
    private final AuditLog audit;

    JoinTokenController(TenantTransactions transactions, MeshResources resources, JoinTokens tokens, AuditLog audit) {
        this.transactions = transactions;
        this.resources = resources;
        this.tokens = tokens;
        this.audit = audit;
    }

    record Minted(String id, String token, String mesh, String service, String version, Instant expiresAt) {
    }

    @PostMapping("/v1/meshes/{mesh}/join-tokens")
    @ResponseStatus(HttpStatus.CREATED)
    Minted mint(@AuthenticationPrincipal Caller caller, @PathVariable String mesh, @RequestBody(required = false) byte[] body) {
        caller.require(Role.EDITOR);
        RequestDocument document = new RequestDocument(JsonBody.object(body), Set.of("service", "version", "ttl"));
        String service = document.text("service");
        String version = document.optionalText("version").orElse(null);
        long ttl = Durations.parseMillis(document.optionalText("ttl").orElse("10m"));
        if (ttl <= 0 || ttl > MAX_TTL_MILLIS) document.violation("ttl", "must be a duration such as \"10m\", at most 24h");
        document.check();
        return transactions.inTenant(caller.tenantId(), () -> {
            if (!resources.meshExists(caller.tenantId(), mesh)) throw new MeshNotFound(mesh);
            ServiceSpec spec = resources.find(caller.tenantId(), ResourceKind.SERVICE, mesh, service)
                    .map(r -> (ServiceSpec) Documents.service(r.document()).value())
                    .orElseThrow(() -> InvalidRequest.of("service", "no service " + service + " in mesh " + mesh));
            if (version != null && (spec == null || !spec.hasVersion(version))) {
                throw InvalidRequest.of("version", "service " + service + " has no version " + version);
            }
            Instant now = TenantTransactions.now();
            Instant expiresAt = now.plusMillis(ttl);
            JoinTokens.Minted minted = tokens.mint(caller.tenantId(), mesh, service, version, caller.subject(), now, expiresAt);
            audit.record(caller, "join-token.create", ResourceKind.SERVICE.path(mesh, service), null,
                    JsonNodeFactory.instance.objectNode().put("id", minted.id()).put("version", version)
                            .put("expiresAt", expiresAt.toString()));
            return new Minted(minted.id(), minted.token(), mesh, service, version, expiresAt);
        });
    }

    /**
     * Revokes a join token before it is used: it can never register a proxy. 204; 404 for a token
     * this mesh does not have; 409 for one already used or expired (nothing left to revoke:
     * a proxy it registered dies with its service).
     */
    @DeleteMapping("/v1/meshes/{mesh}/join-tokens/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@AuthenticationPrincipal Caller caller, @PathVariable String mesh, @PathVariable String id) {
        caller.require(Role.EDITOR);
        transactions.inTenant(caller.tenantId(), () -> {
            if (!resources.meshExists(caller.tenantId(), mesh)) throw new MeshNotFound(mesh);
            String path = "meshes/" + mesh + "/join-tokens/" + id;
            if (!tokens.exists(caller.tenantId(), mesh, id)) throw new ResourceNotFound(path);
            if (!tokens.revoke(caller.tenantId(), mesh, id, TenantTransactions.now())) {
                throw new ResourceInUse(path + " was already used, revoked or expired", List.of());
            }
            audit.record(caller, "join-token.revoke", path, JsonNodeFactory.instance.objectNode().put("id", id), null);
            return null;
        });
    }
}
