package dev.trellis.controlplane.injection;

import dev.trellis.controlplane.access.Caller;
import dev.trellis.controlplane.access.Role;
import dev.trellis.controlplane.audit.AuditLog;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.mesh.MeshNotFound;
import dev.trellis.controlplane.mesh.MeshResources;
import dev.trellis.controlplane.mesh.ResourceKind;
import dev.trellis.controlplane.mesh.ResourceNotFound;
import dev.trellis.controlplane.mesh.ResourceWrites;
import dev.trellis.controlplane.mesh.StoredResource;
import dev.trellis.controlplane.web.JsonBody;
import dev.trellis.controlplane.web.Page;
import dev.trellis.controlplane.web.PageRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.*;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * {@code /v1/meshes/{mesh}/injectors/{injector}}: Kubernetes injectors, declarative like every mesh
 * resource (the same writes: ETag / If-Match, dry runs, audit). Creation answers, once, the webhook
 * configuration whose URL carries the injector's secret; {@code POST .../secret} replaces the secret
 * (the old URL stops working) and answers a new configuration; a delete revokes it.
 */
@RestController
@RequestMapping("/v1/meshes/{mesh}/injectors")
class InjectorController {
    /** Fields an answer adds that a client may send back unchanged. */
    private static final List<String> ANSWER_ONLY = List.of("status", "webhookConfiguration");

    private final TenantTransactions transactions;
    private final MeshResources resources;
    private final ResourceWrites writes;
    private final InjectorSecrets secrets;
    private final InjectorOutcomes outcomes;
    private final InjectionSettings settings;
    private final AuditLog audit;

    InjectorController(TenantTransactions transactions, MeshResources resources, ResourceWrites writes,
                       InjectorSecrets secrets, InjectorOutcomes outcomes, InjectionSettings settings, AuditLog audit) {
        this.transactions = transactions;
        this.resources = resources;
        this.writes = writes;
        this.secrets = secrets;
        this.outcomes = outcomes;
        this.settings = settings;
        this.audit = audit;
    }

    @GetMapping
    Page<ObjectNode> list(@AuthenticationPrincipal Caller caller, @PathVariable String mesh,
                          @RequestParam(required = false) String limit, @RequestParam(required = false) String cursor) {
        PageRequest page = PageRequest.of(limit, cursor);
        return transactions.inTenant(caller.tenantId(), () -> {
            if (!resources.meshExists(caller.tenantId(), mesh)) throw new MeshNotFound(mesh);
            return resources.page(caller.tenantId(), ResourceKind.INJECTOR, mesh, page).map(StoredResource::toJson);
        });
    }

    /** The injector with {@code status}: pods injected and skipped, by reason, with the last pod of each. */
    @GetMapping("/{injector}")
    ResponseEntity<ObjectNode> get(@AuthenticationPrincipal Caller caller, @PathVariable String mesh, @PathVariable String injector) {
        return transactions.inTenant(caller.tenantId(), () -> {
            StoredResource resource = find(caller, mesh, injector);
            ObjectNode answer = resource.toJson();
            ObjectNode status = answer.putObject("status");
            status.put("injected", 0);
            var skipped = status.putArray("skipped");
            for (InjectorOutcomes.Outcome outcome : outcomes.of(caller.tenantId(), mesh, injector)) {
                if (outcome.outcome().equals(InjectorOutcomes.INJECTED)) {
                    status.put("injected", outcome.count());
                    continue;
                }
                skipped.addObject().put("reason", outcome.outcome()).put("count", outcome.count())
                        .put("lastNamespace", outcome.lastNamespace()).put("lastPod", outcome.lastPod())
                        .put("lastAt", outcome.lastAt().toString());
            }
            return ResponseEntity.ok().eTag(resource.etag()).body(answer);
        });
    }

    @PutMapping("/{injector}")
    ResponseEntity<?> put(@AuthenticationPrincipal Caller caller, @PathVariable String mesh, @PathVariable String injector,
                          @RequestHeader(value = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                          @RequestParam(defaultValue = "false") boolean dryRun,
                          @RequestBody(required = false) byte[] body) {
        caller.require(Role.EDITOR);
        ObjectNode sent = (ObjectNode) JsonBody.object(body).deepCopy();
        ANSWER_ONLY.forEach(sent::remove);
        ObjectNode declared = sent.deepCopy();
        List.of("name", "resourceVersion", "createdAt", "updatedAt").forEach(declared::remove);
        ObjectNode document = InjectorSpec.parse(declared).document();
        // The metadata a client sent back goes along, so the shared write checks name and resourceVersion.
        for (String field : List.of("name", "resourceVersion", "createdAt", "updatedAt")) {
            if (sent.has(field)) document.set(field, sent.get(field));
        }
        if (dryRun) {
            ResourceWrites.Outcome outcome = writes.put(caller, ResourceKind.INJECTOR, mesh, injector, document, ifMatch, null, true);
            return ResponseEntity.ok(outcome.dryRun());
        }
        String base = requestBase();
        return transactions.inTenant(caller.tenantId(), () -> {
            ResourceWrites.Outcome outcome = writes.put(caller, ResourceKind.INJECTOR, mesh, injector, document, ifMatch, null, false);
            ObjectNode answer = outcome.resource().toJson();
            if (outcome.created()) {
                String secret = secrets.mint(caller.tenantId(), mesh, injector, TenantTransactions.now());
                answer.put("webhookConfiguration", webhook(mesh, injector, outcome.resource().document(), secret, base));
            }
            return ResponseEntity.status(outcome.created() ? HttpStatus.CREATED : HttpStatus.OK)
                    .eTag(outcome.resource().etag()).body(answer);
        });
    }

    @DeleteMapping("/{injector}")
    ResponseEntity<?> delete(@AuthenticationPrincipal Caller caller, @PathVariable String mesh, @PathVariable String injector,
                             @RequestHeader(value = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                             @RequestParam(defaultValue = "false") boolean dryRun) {
        if (dryRun) return ResponseEntity.ok(writes.delete(caller, ResourceKind.INJECTOR, mesh, injector, ifMatch, true).dryRun());
        return transactions.inTenant(caller.tenantId(), () -> {
            writes.delete(caller, ResourceKind.INJECTOR, mesh, injector, ifMatch, false);
            secrets.delete(caller.tenantId(), mesh, injector);
            outcomes.delete(caller.tenantId(), mesh, injector);
            return ResponseEntity.noContent().build();
        });
    }

    /** A new secret: the old webhook URL stops working at once; the answer is the configuration to apply instead. */
    @PostMapping("/{injector}/secret")
    ResponseEntity<ObjectNode> rotate(@AuthenticationPrincipal Caller caller, @PathVariable String mesh, @PathVariable String injector) {
        caller.require(Role.EDITOR);
        String base = requestBase();
        return transactions.inTenant(caller.tenantId(), () -> {
            StoredResource resource = find(caller, mesh, injector);
            String secret = secrets.mint(caller.tenantId(), mesh, injector, TenantTransactions.now());
            audit.record(caller, "injector.rotate-secret", ResourceKind.INJECTOR.path(mesh, injector), null, null);
            ObjectNode answer = resource.toJson();
            answer.put("webhookConfiguration", webhook(mesh, injector, resource.document(), secret, base));
            return ResponseEntity.ok().eTag(resource.etag()).body(answer);
        });
    }

    private StoredResource find(Caller caller, String mesh, String injector) {
        if (!resources.meshExists(caller.tenantId(), mesh)) throw new MeshNotFound(mesh);
        return resources.find(caller.tenantId(), ResourceKind.INJECTOR, mesh, injector)
                .orElseThrow(() -> new ResourceNotFound(ResourceKind.INJECTOR.path(mesh, injector)));
    }

    private String webhook(String mesh, String injector, JsonNode document, String secret, String base) {
        String url = settings.publicUrl(base) + AdmissionController.PATH + secret;
        return WebhookConfiguration.yaml(mesh, injector, InjectorSpec.parse(document), url, settings.webhookTimeoutSeconds());
    }

    private static String requestBase() {
        return ServletUriComponentsBuilder.fromCurrentContextPath().replacePath(null).toUriString();
    }
}
