package dev.trellis.controlplane.mesh;

import dev.trellis.controlplane.access.Caller;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.web.JsonBody;
import dev.trellis.controlplane.web.Page;
import dev.trellis.controlplane.web.PageRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.*;
import tools.jackson.databind.node.ObjectNode;

/**
 * The declarative resources: {@code /v1/meshes/{mesh}} and its {@code services}, {@code routes}
 * and {@code policies}. One controller, because every kind follows the same rules (PUT creates
 * or replaces, ETag / If-Match, cursor lists, dry runs); what differs lives in {@link ResourceKind}.
 */
@RestController
@RequestMapping("/v1/meshes")
class MeshResourceController {
    private static final String KINDS = "{kind:services|routes|policies}";

    private final TenantTransactions transactions;
    private final MeshResources resources;
    private final ResourceWrites writes;
    private final WarningHeaders warningHeaders;

    MeshResourceController(TenantTransactions transactions, MeshResources resources, ResourceWrites writes,
                           WarningHeaders warningHeaders) {
        this.transactions = transactions;
        this.resources = resources;
        this.writes = writes;
        this.warningHeaders = warningHeaders;
    }

    @GetMapping
    Page<ObjectNode> listMeshes(@AuthenticationPrincipal Caller caller,
                                @RequestParam(required = false) String limit, @RequestParam(required = false) String cursor) {
        return list(caller, ResourceKind.MESH, null, limit, cursor);
    }

    @GetMapping("/{mesh}")
    ResponseEntity<ObjectNode> getMesh(@AuthenticationPrincipal Caller caller, @PathVariable String mesh) {
        return get(caller, ResourceKind.MESH, mesh, mesh);
    }

    @PutMapping("/{mesh}")
    ResponseEntity<?> putMesh(@AuthenticationPrincipal Caller caller, @PathVariable String mesh,
                              @RequestHeader(value = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                              @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch,
                              @RequestParam(defaultValue = "false") boolean dryRun,
                              @RequestBody(required = false) byte[] body) {
        return answer(writes.put(caller, ResourceKind.MESH, mesh, mesh, JsonBody.object(body), ifMatch, ifNoneMatch, dryRun),
                ResourceKind.MESH, mesh, mesh);
    }

    @DeleteMapping("/{mesh}")
    ResponseEntity<?> deleteMesh(@AuthenticationPrincipal Caller caller, @PathVariable String mesh,
                                 @RequestHeader(value = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                                 @RequestParam(defaultValue = "false") boolean dryRun) {
        return deleted(writes.delete(caller, ResourceKind.MESH, mesh, mesh, ifMatch, dryRun));
    }

    @GetMapping("/{mesh}/" + KINDS)
    Page<ObjectNode> listResources(@AuthenticationPrincipal Caller caller, @PathVariable String mesh, @PathVariable String kind,
                                   @RequestParam(required = false) String limit, @RequestParam(required = false) String cursor) {
        return list(caller, kind(kind), mesh, limit, cursor);
    }

    @GetMapping("/{mesh}/" + KINDS + "/{name}")
    ResponseEntity<ObjectNode> getResource(@AuthenticationPrincipal Caller caller, @PathVariable String mesh,
                                           @PathVariable String kind, @PathVariable String name) {
        return get(caller, kind(kind), mesh, name);
    }

    @PutMapping("/{mesh}/" + KINDS + "/{name}")
    ResponseEntity<?> putResource(@AuthenticationPrincipal Caller caller, @PathVariable String mesh,
                                  @PathVariable String kind, @PathVariable String name,
                                  @RequestHeader(value = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                                  @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch,
                                  @RequestParam(defaultValue = "false") boolean dryRun,
                                  @RequestBody(required = false) byte[] body) {
        return answer(writes.put(caller, kind(kind), mesh, name, JsonBody.object(body), ifMatch, ifNoneMatch, dryRun), kind(kind), mesh, name);
    }

    @DeleteMapping("/{mesh}/" + KINDS + "/{name}")
    ResponseEntity<?> deleteResource(@AuthenticationPrincipal Caller caller, @PathVariable String mesh,
                                     @PathVariable String kind, @PathVariable String name,
                                     @RequestHeader(value = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                                     @RequestParam(defaultValue = "false") boolean dryRun) {
        return deleted(writes.delete(caller, kind(kind), mesh, name, ifMatch, dryRun));
    }

    private Page<ObjectNode> list(Caller caller, ResourceKind kind, String mesh, String limit, String cursor) {
        PageRequest page = PageRequest.of(limit, cursor);
        return transactions.inTenant(caller.tenantId(), () -> {
            if (mesh != null && !resources.meshExists(caller.tenantId(), mesh)) throw new MeshNotFound(mesh);
            return resources.page(caller.tenantId(), kind, mesh, page).map(StoredResource::toJson);
        });
    }

    private ResponseEntity<ObjectNode> get(Caller caller, ResourceKind kind, String mesh, String name) {
        StoredResource resource = transactions.inTenant(caller.tenantId(), () -> {
            if (!resources.meshExists(caller.tenantId(), mesh)) throw new MeshNotFound(mesh);
            return resources.find(caller.tenantId(), kind, mesh, name)
                    .orElseThrow(() -> new ResourceNotFound(kind.path(mesh, name)));
        });
        return ResponseEntity.ok().eTag(resource.etag()).body(resource.toJson());
    }

    /**
     * The stored resource; the analysis warnings about it travel as bounded {@code Trellis-Warning}
     * headers ({@link WarningHeaders}), not in the document. The write is committed by now: nothing
     * here may fail in a way that would answer it as an error.
     */
    private ResponseEntity<?> answer(ResourceWrites.Outcome outcome, ResourceKind kind, String mesh, String name) {
        if (outcome.dryRun() != null) return ResponseEntity.ok(outcome.dryRun());
        HttpHeaders headers = new HttpHeaders();
        warningHeaders.add(headers, kind, mesh, name, outcome.warnings());
        return ResponseEntity.status(outcome.created() ? HttpStatus.CREATED : HttpStatus.OK)
                .eTag(outcome.resource().etag())
                .headers(headers)
                .body(outcome.resource().toJson());
    }

    private static ResponseEntity<?> deleted(ResourceWrites.Outcome outcome) {
        return outcome.dryRun() != null ? ResponseEntity.ok(outcome.dryRun()) : ResponseEntity.noContent().build();
    }

    private static ResourceKind kind(String segment) {
        return ResourceKind.ofSegment(segment).orElseThrow();
    }
}
