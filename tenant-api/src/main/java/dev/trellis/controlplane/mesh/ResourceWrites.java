package dev.trellis.controlplane.mesh;

import dev.trellis.compiler.Documents;
import dev.trellis.compiler.Parsed;
import dev.trellis.compiler.Warning;
import dev.trellis.controlplane.access.Caller;
import dev.trellis.controlplane.access.Role;
import dev.trellis.controlplane.audit.AuditLog;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.service.ServiceReferences;
import dev.trellis.controlplane.snapshot.MeshCompilation;
import dev.trellis.controlplane.web.ApiViolation;
import dev.trellis.controlplane.web.InvalidRequest;
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
    private final MeshCompilation compilation;
    private final AuditLog audit;

    ResourceWrites(TenantTransactions transactions, MeshResources resources, MeshCompilation compilation, AuditLog audit) {
        this.transactions = transactions;
        this.resources = resources;
        this.compilation = compilation;
        this.audit = audit;
    }

    /** What a write did: the resource now, whether it was created, the analysis warnings, or the dry run's report. */
    public record Outcome(StoredResource resource, boolean created, List<Warning> warnings, DryRun dryRun) {
        Outcome(StoredResource resource, boolean created, DryRun dryRun) {
            this(resource, created, List.of(), dryRun);
        }
    }

    public Outcome put(Caller caller, ResourceKind kind, String mesh, String name, JsonNode body, String ifMatch, boolean dryRun) {
        caller.require(Role.EDITOR);
        ObjectNode document = (ObjectNode) body.deepCopy();
        String expected = ifMatch != null ? ifMatch : stripMetadata(document, name);
        List<ApiViolation> violations = validate(kind, name, document);
        if (!violations.isEmpty()) {
            if (dryRun) return new Outcome(null, false, DryRun.invalid(violations));
            throw new InvalidRequest(violations);
        }
        String path = kind.path(mesh, name);
        return transactions.inTenant(caller.tenantId(), status -> {
            if (kind == ResourceKind.MESH) resources.createAndLockMesh(caller.tenantId(), name);
            else if (!resources.lockMesh(caller.tenantId(), mesh)) throw new MeshNotFound(mesh);
            Optional<StoredResource> before = resources.find(caller.tenantId(), kind, mesh, name);
            Preconditions.check(path, expected, before);
            if (before.isPresent() && before.get().document().equals(document)) {
                return dryRun ? report(caller, mesh, status, before.get()) : new Outcome(before.get(), false, null);
            }
            StoredResource after = resources.save(caller.tenantId(), kind, mesh, name, document, before);
            MeshCompilation.Outcome compiled;
            try {
                compiled = compilation.recompile(caller.tenantId(), mesh, dryRun);
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
            MeshCompilation.Outcome compiled = null;
            if (kind == ResourceKind.MESH) {
                List<String> contents = resources.contents(caller.tenantId(), mesh);
                if (!contents.isEmpty()) throw inUse(path, contents, "delete these first");
                resources.deleteMesh(caller.tenantId(), mesh);
            } else {
                if (kind == ResourceKind.SERVICE) {
                    List<String> routes = ServiceReferences.routesUsing(compilation.state(caller.tenantId(), mesh), name);
                    if (!routes.isEmpty()) throw inUse(path, routes, "routes send traffic to it");
                }
                resources.delete(caller.tenantId(), kind, mesh, name);
                try {
                    compiled = compilation.recompile(caller.tenantId(), mesh, dryRun);
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

    private static List<ApiViolation> validate(ResourceKind kind, String name, JsonNode document) {
        List<ApiViolation> violations = new ArrayList<>();
        Documents.name(name).forEach(v -> violations.add(ApiViolation.at("name", v.message())));
        Parsed<?> parsed = kind.parse(document);
        parsed.violations().forEach(v -> violations.add(new ApiViolation(null, v.field(), v.message())));
        return violations;
    }
}
