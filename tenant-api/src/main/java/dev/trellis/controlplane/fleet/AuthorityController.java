package dev.trellis.controlplane.fleet;

import dev.trellis.compiler.document.Durations;
import dev.trellis.controlplane.access.Caller;
import dev.trellis.controlplane.access.Role;
import dev.trellis.controlplane.audit.AuditLog;
import dev.trellis.controlplane.authority.MeshAuthorities;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.mesh.MeshNotFound;
import dev.trellis.controlplane.mesh.MeshResources;
import dev.trellis.controlplane.web.JsonBody;
import dev.trellis.controlplane.web.RequestDocument;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.JsonNodeFactory;

import java.time.Duration;
import java.util.Set;
import java.util.function.Function;

/**
 * A mesh's certificate authority: {@code GET /v1/meshes/{mesh}/authority} lists the roots its
 * proxies trust (viewers and up); {@code POST /v1/meshes/{mesh}/authority/rotations} begins a root
 * rotation with an {@code overlap} (admins and up). The overlap must be at least a proxy
 * certificate's life ({@code trellis.fleet.certificate-validity}), so every proxy renews, and takes
 * the new trust bundle, within each phase.
 */
@RestController
class AuthorityController {
    private static final Duration MAX_OVERLAP = Duration.ofDays(30);

    private final TenantTransactions transactions;
    private final MeshResources resources;
    private final MeshAuthorities authorities;
    private final AuditLog audit;
    private final Duration certificateValidity;

    AuthorityController(TenantTransactions transactions, MeshResources resources, MeshAuthorities authorities, AuditLog audit,
                        @Value("${trellis.fleet.certificate-validity:24h}") Duration certificateValidity) {
        this.transactions = transactions;
        this.resources = resources;
        this.authorities = authorities;
        this.audit = audit;
        this.certificateValidity = certificateValidity;
    }

    @GetMapping("/v1/meshes/{mesh}/authority")
    MeshAuthorities.Roots roots(@AuthenticationPrincipal Caller caller, @PathVariable String mesh) {
        caller.require(Role.VIEWER);
        return inMesh(caller, mesh, now -> authorities.roots(caller.tenantId(), mesh, now));
    }

    @PostMapping("/v1/meshes/{mesh}/authority/rotations")
    @ResponseStatus(HttpStatus.ACCEPTED)
    MeshAuthorities.Roots rotate(@AuthenticationPrincipal Caller caller, @PathVariable String mesh,
                                 @RequestBody(required = false) byte[] body) {
        caller.require(Role.ADMIN);
        RequestDocument document = new RequestDocument(JsonBody.object(body), Set.of("overlap"));
        String text = document.text("overlap");
        long millis = text == null ? -1 : Durations.parseMillis(text);
        if (millis >= 0 && (millis < certificateValidity.toMillis() || millis > MAX_OVERLAP.toMillis())) {
            document.violation("overlap", "must be at least a proxy certificate's life (" + Durations.format(certificateValidity.toMillis())
                    + ") and at most 30 days");
        } else if (millis < 0 && text != null) {
            document.violation("overlap", "must be a duration such as \"24h\"");
        }
        document.check();
        Duration overlap = Duration.ofMillis(millis);
        return inMesh(caller, mesh, now -> {
            MeshAuthorities.Roots roots = authorities.rotate(caller.tenantId(), mesh, overlap, now);
            audit.record(caller, "authority.rotate", "/v1/meshes/" + mesh + "/authority", null,
                    JsonNodeFactory.instance.objectNode().put("overlap", text)
                            .put("switchesAt", roots.rotation().switchesAt().toString())
                            .put("completesAt", roots.rotation().completesAt().toString()));
            return roots;
        });
    }

    private <T> T inMesh(Caller caller, String mesh, Function<java.time.Instant, T> work) {
        return transactions.inTenant(caller.tenantId(), () -> {
            if (!resources.meshExists(caller.tenantId(), mesh)) throw new MeshNotFound(mesh);
            return work.apply(TenantTransactions.now());
        });
    }
}
