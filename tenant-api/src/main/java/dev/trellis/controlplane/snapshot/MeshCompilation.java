package dev.trellis.controlplane.snapshot;

import dev.trellis.compiler.CompileResult;
import dev.trellis.compiler.MeshCompiler;
import dev.trellis.compiler.MeshSpec;
import dev.trellis.compiler.MeshState;
import dev.trellis.compiler.Parsed;
import dev.trellis.compiler.PolicySpec;
import dev.trellis.compiler.RouteSpec;
import dev.trellis.compiler.ServiceSpec;
import dev.trellis.compiler.SnapshotChange;
import dev.trellis.compiler.SnapshotDiff;
import dev.trellis.compiler.Violation;
import dev.trellis.controlplane.endpoint.RegisteredEndpoints;
import dev.trellis.controlplane.mesh.MeshInvalid;
import dev.trellis.controlplane.mesh.MeshRecompiler;
import dev.trellis.controlplane.mesh.MeshResources;
import dev.trellis.controlplane.mesh.ResourceKind;
import dev.trellis.controlplane.web.ApiViolation;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a mesh's stored documents into the compiler's {@link MeshState} and its compiled
 * snapshots into stored ones. Runs inside the transaction of the write that triggered it, so a
 * mesh that does not compile stores nothing.
 */
@Service
public class MeshCompilation implements MeshRecompiler {
    private final MeshResources resources;
    private final SnapshotStore snapshots;
    private final RegisteredEndpoints endpoints;

    MeshCompilation(MeshResources resources, SnapshotStore snapshots, RegisteredEndpoints endpoints) {
        this.resources = resources;
        this.snapshots = snapshots;
        this.endpoints = endpoints;
    }

    /** The mesh as declared now, parsed again with the compiler. */
    @Override
    public MeshState state(String tenantId, String mesh) {
        List<Violation> violations = new ArrayList<>();
        Map<String, JsonNode> meshDocument = resources.documents(tenantId, ResourceKind.MESH, mesh);
        MeshSpec spec = parse(meshDocument.get(mesh), ResourceKind.MESH, mesh, MeshSpec.class, violations);
        TreeMap<String, ServiceSpec> services = parseAll(tenantId, mesh, ResourceKind.SERVICE, ServiceSpec.class, violations);
        TreeMap<String, RouteSpec> routes = parseAll(tenantId, mesh, ResourceKind.ROUTE, RouteSpec.class, violations);
        TreeMap<String, PolicySpec> policies = parseAll(tenantId, mesh, ResourceKind.POLICY, PolicySpec.class, violations);
        if (!violations.isEmpty()) throw new MeshInvalid(violations.stream().map(MeshCompilation::violation).toList());
        return new MeshState(tenantId, mesh, spec, services, routes, policies, endpoints.of(tenantId, mesh));
    }

    /** Compiles the mesh as it stands in this transaction, without storing anything. */
    @Override
    public CompileResult compile(String tenantId, String mesh) {
        return MeshCompiler.compile(state(tenantId, mesh));
    }

    /**
     * Compiles the mesh and stores the snapshots that changed. The detailed diff needs every stored
     * snapshot parsed, so it is computed only when asked for (dry runs); a write compares versions.
     *
     * @throws MeshInvalid with every compile error when the mesh does not compile
     */
    @Override
    public Outcome recompile(String tenantId, String mesh, boolean withDiff) {
        CompileResult result = compile(tenantId, mesh);
        if (!result.ok()) throw new MeshInvalid(result.errors().stream().map(MeshCompilation::violation).toList());
        List<SnapshotChange> changes = withDiff
                ? SnapshotDiff.diff(snapshots.current(tenantId, mesh), result.snapshots())
                : List.of();
        snapshots.replace(tenantId, mesh, snapshots.versions(tenantId, mesh), result.snapshots());
        return new Outcome(result, changes);
    }

    public static ApiViolation violation(Violation v) {
        return new ApiViolation(v.resource(), v.field(), v.message());
    }

    private <T> TreeMap<String, T> parseAll(String tenantId, String mesh, ResourceKind kind, Class<T> type,
                                            List<Violation> violations) {
        TreeMap<String, T> specs = new TreeMap<>();
        resources.documents(tenantId, kind, mesh).forEach((name, document) -> {
            T spec = parse(document, kind, name, type, violations);
            if (spec != null) specs.put(name, spec);
        });
        return specs;
    }

    /** Stored documents were valid when written; a stricter compiler may still refuse them, so say which. */
    private static <T> T parse(JsonNode document, ResourceKind kind, String name, Class<T> type, List<Violation> violations) {
        String resource = kind == ResourceKind.MESH ? "mesh" : kind.segment() + "/" + name;
        if (document == null) {
            violations.add(new Violation(resource, "", "is missing"));
            return null;
        }
        Parsed<?> parsed = kind.parse(document);
        parsed.violations().forEach(v -> violations.add(new Violation(resource, v.field(), v.message())));
        return parsed.ok() ? type.cast(parsed.value()) : null;
    }
}
