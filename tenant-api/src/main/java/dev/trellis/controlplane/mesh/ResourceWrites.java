package dev.trellis.controlplane.mesh;

import dev.trellis.compiler.Documents;
import dev.trellis.compiler.Parsed;
import dev.trellis.compiler.Warning;
import dev.trellis.controlplane.access.Caller;
import dev.trellis.controlplane.access.Role;
import dev.trellis.billing.QuotaExceeded;
import dev.trellis.controlplane.audit.AuditLog;
import dev.trellis.controlplane.billing.QuotaChecks;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.service.ServiceReferences;
import dev.trellis.controlplane.web.ApiViolation;
import dev.trellis.controlplane.web.InvalidRequest;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.TransactionStatus;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Declarative writes: validate the document, then in one transaction lock the mesh, check the
 * precondition, store, recompile the whole mesh, store the changed snapshots and the audit event.
 * Any failure rolls all of it back; a dry run rolls back on purpose and reports what would have happened.
 */
@Service
public class ResourceWrites {
    private final TenantTransactions transactions;
    private final MeshResources resources;
    private final MeshRecompiler compilation;
    private final AuditLog audit;
    private final QuotaChecks quotas;
    private final ApplicationEventPublisher events;

    ResourceWrites(TenantTransactions transactions, MeshResources resources, MeshRecompiler compilation, AuditLog audit,
                   QuotaChecks quotas, ApplicationEventPublisher events) {
        this.transactions = transactions;
        this.resources = resources;
        this.compilation = compilation;
        this.audit = audit;
        this.quotas = quotas;
        this.events = events;
    }

    /** What a write did: the resource now, whether it was created, the analysis warnings, or the dry run's report. */
    public record Outcome(StoredResource resource, boolean created, List<Warning> warnings, DryRun dryRun) {
        Outcome(StoredResource resource, boolean created, DryRun dryRun) {
            this(resource, created, List.of(), dryRun);
        }
    }

    public Outcome put(Caller caller, ResourceKind kind, String mesh, String name, JsonNode body, String ifMatch,
                String ifNoneMatch, boolean dryRun) {
        caller.require(Role.EDITOR);
        ObjectNode document = (ObjectNode) body.deepCopy();
        String expected = ifMatch != null ? ifMatch : stripMetadata(document, name);
        List<ApiViolation> violations = new ArrayList<>();
        Object spec = validate(kind, name, document, violations);
        if (!violations.isEmpty()) {
            // Where the mesh-level errors can be known too (the document means something), report them with the others.
            Object meant = spec != null ? spec : withoutUnknownFields(kind, document);
            if (meant != null && kind != ResourceKind.MESH) {
                violations.addAll(transactions.inTenant(caller.tenantId(), () -> resources.meshExists(caller.tenantId(), mesh)
                        ? compilation.errors(caller.tenantId(), mesh, new MeshRecompiler.Change(kind, name, meant))
                        : List.<ApiViolation>of()));
            }
            if (dryRun) return new Outcome(null, false, DryRun.invalid(violations));
            throw new InvalidRequest(violations);
        }
        String path = kind.path(mesh, name);
        return transactions.inTenant(caller.tenantId(), status -> {
            if (kind == ResourceKind.MESH) resources.createAndLockMesh(caller.tenantId(), name);
            else if (!resources.lockMesh(caller.tenantId(), mesh)) throw new MeshNotFound(mesh);
            Optional<StoredResource> before = resources.find(caller.tenantId(), kind, mesh, name);
            Preconditions.check(path, expected, before);
            Preconditions.checkNoneMatch(path, ifNoneMatch, before);
            if (before.isEmpty()) {
                try {
                    admitNew(caller.tenantId(), kind);
                } catch (QuotaExceeded e) {
                    if (!dryRun) throw e;
                    status.setRollbackOnly();
                    return new Outcome(null, false, DryRun.invalid(List.of(QuotaChecks.violation(e))));
                }
            }
            if (before.isPresent() && before.get().document().equals(document)) {
                return dryRun ? report(caller, mesh, status, before.get()) : new Outcome(before.get(), false, null);
            }
            StoredResource after = resources.save(caller.tenantId(), kind, mesh, name, document, before);
            MeshRecompiler.Outcome compiled;
            try {
                compiled = compilation.recompile(caller.tenantId(), mesh, new MeshRecompiler.Change(kind, name, spec), dryRun);
            } catch (MeshInvalid e) {
                if (!dryRun) throw e;
                status.setRollbackOnly();
                return new Outcome(null, false, DryRun.invalid(e.violations()));
            }
            audit.record(caller, kind.singular() + ".put", path, before.map(StoredResource::toJson).orElse(null), after.toJson());
            if (dryRun) {
                status.setRollbackOnly();
                return new Outcome(after, before.isEmpty(), new DryRun(true, List.of(), compiled.result().warnings(),
                        compiled.changes(), after.toJson()));
            }
            return new Outcome(after, before.isEmpty(), compiled.result().warnings(), null);
        });
    }

    public Outcome delete(Caller caller, ResourceKind kind, String mesh, String name, String ifMatch, boolean dryRun) {
        caller.require(Role.EDITOR);
        String path = kind.path(mesh, name);
        return transactions.inTenant(caller.tenantId(), status -> {
            if (!resources.lockMesh(caller.tenantId(), mesh)) throw new MeshNotFound(mesh);
            StoredResource before = resources.find(caller.tenantId(), kind, mesh, name)
                    .orElseThrow(() -> new ResourceNotFound(path));
            Preconditions.check(path, ifMatch, Optional.of(before));
            MeshRecompiler.Outcome compiled = null;
            if (kind == ResourceKind.MESH) {
                List<String> contents = resources.contents(caller.tenantId(), mesh);
                if (!contents.isEmpty()) throw inUse(path, contents, "delete these first");
                events.publishEvent(new MeshDeleted(caller.tenantId(), mesh));
                resources.deleteMesh(caller.tenantId(), mesh);
            } else {
                if (kind == ResourceKind.SERVICE) {
                    List<String> routes = ServiceReferences.routesUsing(compilation.state(caller.tenantId(), mesh), name);
                    if (!routes.isEmpty()) throw inUse(path, routes, "routes send traffic to it");
                }
                resources.delete(caller.tenantId(), kind, mesh, name);
                // The service's proxies die with it (before the recompile, so callers lose their endpoints now).
                if (kind == ResourceKind.SERVICE) events.publishEvent(new ServiceDeleted(caller.tenantId(), mesh, name));
                try {
                    compiled = compilation.recompile(caller.tenantId(), mesh, new MeshRecompiler.Change(kind, name, null), dryRun);
                } catch (MeshInvalid e) {
                    throw new ResourceInUse(path + " is still needed by the mesh", e.violations());
                }
            }
            audit.record(caller, kind.singular() + ".delete", path, before.toJson(), null);
            if (!dryRun) return new Outcome(before, false, null);
            status.setRollbackOnly();
            return new Outcome(null, false, new DryRun(true, List.of(),
                    compiled == null ? List.of() : compiled.result().warnings(),
                    compiled == null ? List.of() : compiled.changes(), null));
        });
    }

    /** The plan's quota, for what creates a mesh or a service; routes and policies are not limited. */
    private void admitNew(String tenantId, ResourceKind kind) {
        if (kind == ResourceKind.MESH) quotas.admitMesh(tenantId);
        else if (kind == ResourceKind.SERVICE) quotas.admitService(tenantId);
    }

    /** A dry run of a write that changes nothing: the mesh's current analysis, no snapshot changes. */
    private Outcome report(Caller caller, String mesh, TransactionStatus status, StoredResource current) {
        status.setRollbackOnly();
        var result = compilation.compile(caller.tenantId(), mesh);
        return new Outcome(current, false, new DryRun(true, List.of(), result.warnings(), List.of(), current.toJson()));
    }

    private static ResourceInUse inUse(String path, List<String> users, String why) {
        return new ResourceInUse(path + " is in use: " + why + " (" + String.join(", ", users) + ")",
                users.stream().map(user -> new ApiViolation(user, "", "refers to " + path)).toList());
    }

    /** Drops the read-only fields an answer adds; returns a resourceVersion sent in the body, to be used as If-Match. */
    private static String stripMetadata(ObjectNode document, String name) {
        JsonNode sentName = document.get("name");
        JsonNode version = document.get("resourceVersion");
        StoredResource.METADATA.forEach(document::remove);
        if (sentName != null && !(sentName.isString() && sentName.asString().equals(name))) {
            throw InvalidRequest.of("name", "differs from the name in the URL");
        }
        if (version == null || version.isNull()) return null;
        if (!version.isString() && !version.isIntegralNumber()) throw InvalidRequest.of("resourceVersion", "must be a string");
        return version.asString();
    }

    /**
     * The model of a document whose only faults are unknown fields (a typo such as {@code "timout"}),
     * read without them; null when anything else is wrong with it.
     */
    private static Object withoutUnknownFields(ResourceKind kind, JsonNode document) {
        Parsed<?> parsed = kind.parse(document);
        if (parsed.ok() || !parsed.violations().stream().allMatch(v -> v.message().equals("unknown field"))) return null;
        JsonNode copy = document.deepCopy();
        for (var violation : parsed.violations()) {
            // A field name may itself hold dots or brackets: then its path cannot be followed, and nothing is guessed.
            String[] steps = violation.field().split("\\.|(?=\\[)");
            JsonNode parent = copy;
            for (int i = 0; i < steps.length - 1 && parent != null; i++) {
                parent = steps[i].matches("\\[\\d{1,9}]") ? parent.get(Integer.parseInt(steps[i].substring(1, steps[i].length() - 1)))
                        : parent.get(steps[i]);
            }
            if (!(parent instanceof ObjectNode object) || object.remove(steps[steps.length - 1]) == null) return null;
        }
        Parsed<?> lenient = kind.parse(copy);
        return lenient.ok() ? lenient.value() : null;
    }

    /** Parses the document once; its model goes on to the compiler, its violations to the caller. */
    private static Object validate(ResourceKind kind, String name, JsonNode document, List<ApiViolation> violations) {
        Documents.name(name).forEach(v -> violations.add(ApiViolation.at("name", v.message())));
        Parsed<?> parsed = kind.parse(document);
        parsed.violations().forEach(v -> violations.add(new ApiViolation(null, v.field(), v.message())));
        return parsed.value();
    }
}
