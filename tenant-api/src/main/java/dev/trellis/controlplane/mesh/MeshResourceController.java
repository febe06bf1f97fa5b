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
    static final String WARNING_HEADER = "Trellis-Warning";

    private final TenantTransactions transactions;
    private final MeshResources resources;
    private final ResourceWrites writes;

    MeshResourceController(TenantTransactions transactions, MeshResources resources, ResourceWrites writes) {
        this.transactions = transactions;
        this.resources = resources;
        this.writes = writes;
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
        return answer(writes.put(caller, ResourceKind.MESH, mesh, mesh, JsonBody.object(body), ifMatch, ifNoneMatch, dryRun));
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
        return answer(writes.put(caller, kind(kind), mesh, name, JsonBody.object(body), ifMatch, ifNoneMatch, dryRun));
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

    /** The stored resource; the compiler's analysis warnings travel as {@code Trellis-Warning} headers, not in the document. */
    private static ResponseEntity<?> answer(ResourceWrites.Outcome outcome) {
        if (outcome.dryRun() != null) return ResponseEntity.ok(outcome.dryRun());
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(outcome.created() ? HttpStatus.CREATED : HttpStatus.OK)
                .eTag(outcome.resource().etag());
        outcome.warnings().forEach(w -> answer.header(WARNING_HEADER, ascii(w.code() + ": " + w.message())));
        return answer.body(outcome.resource().toJson());
    }

    private static String ascii(String text) {
        String printable = text.replaceAll("[^\\x20-\\x7E]", "?");
        return printable.length() > 500 ? printable.substring(0, 500) : printable;
    }

    private static ResponseEntity<?> deleted(ResourceWrites.Outcome outcome) {
        return outcome.dryRun() != null ? ResponseEntity.ok(outcome.dryRun()) : ResponseEntity.noContent().build();
    }

    private static ResourceKind kind(String segment) {
        return ResourceKind.ofSegment(segment).orElseThrow();
    }
}
