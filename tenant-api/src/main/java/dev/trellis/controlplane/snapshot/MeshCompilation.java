package dev.trellis.controlplane.snapshot;

import dev.trellis.compiler.CompileResult;
import dev.trellis.compiler.CompiledMesh;
import dev.trellis.compiler.RegisteredEndpoint;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Optional;
import java.util.UUID;
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
    private static final Logger log = LoggerFactory.getLogger(MeshCompilation.class);

    private final MeshResources resources;
    private final SnapshotStore snapshots;
    private final RegisteredEndpoints endpoints;
    private final CompiledMeshes cache;

    MeshCompilation(MeshResources resources, SnapshotStore snapshots, RegisteredEndpoints endpoints, CompiledMeshes cache) {
        this.resources = resources;
        this.snapshots = snapshots;
        this.endpoints = endpoints;
        this.cache = cache;
    }

    /** The mesh as declared now: the cached state when it is current, else every document parsed again. */
    @Override
    public MeshState state(String tenantId, String mesh) {
        return current(tenantId, mesh).map(CompiledMesh::state).orElseGet(() -> read(tenantId, mesh));
    }

    private MeshState read(String tenantId, String mesh) {
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
        return current(tenantId, mesh).map(CompiledMesh::result).orElseGet(() -> MeshCompiler.compile(read(tenantId, mesh)));
    }

    /** The cached compile of the mesh, when the stored mesh is still the one it was compiled from. */
    private Optional<CompiledMesh> current(String tenantId, String mesh) {
        String generation = resources.generation(tenantId, mesh);
        return generation == null ? Optional.empty() : cache.find(tenantId, mesh)
                .filter(entry -> entry.generation().equals(generation))
                .map(CompiledMeshes.Entry::compiled);
    }

    /**
     * Compiles the mesh and stores the snapshots that changed. The detailed diff needs every stored
     * snapshot parsed, so it is computed only when asked for (dry runs); a write compares versions.
     *
     * @throws MeshInvalid with every compile error when the mesh does not compile
     */
    @Override
    public Outcome recompile(String tenantId, String mesh, boolean withDiff) {
        return recompile(tenantId, mesh, null, withDiff);
    }

    /**
     * As {@link #recompile(String, String, boolean)}, for a write that changed one document (null:
     * changes not known, such as registered endpoints). When this replica holds the current compile
     * of the mesh, the new state is that state with the change applied and the registered endpoints
     * read again, and only the snapshots the change can reach are rebuilt; otherwise the mesh is read
     * in full. The compiled mesh is kept once the transaction commits, never before.
     */
    @Override
    public Outcome recompile(String tenantId, String mesh, Change change, boolean withDiff) {
        String generation = resources.generation(tenantId, mesh);
        Optional<CompiledMeshes.Entry> cached = cache.find(tenantId, mesh);
        boolean current = generation != null && cached.isPresent() && cached.get().generation().equals(generation);
        MeshState next = current && change != null
                ? applied(cached.get().compiled().state(), change, endpoints.of(tenantId, mesh))
                : read(tenantId, mesh);
        // Any earlier compile is a valid base: recompile() always equals a full compile of what it is given.
        CompiledMesh compiled = cached.map(entry -> entry.compiled().recompile(next)).orElseGet(() -> CompiledMesh.compile(next));
        CompileResult result = compiled.result();
        if (!result.ok()) throw new MeshInvalid(result.errors().stream().map(MeshCompilation::violation).toList());
        List<SnapshotChange> changes = withDiff
                ? SnapshotDiff.diff(snapshots.current(tenantId, mesh), result.snapshots())
                : List.of();
        // The current cached compile is what is stored: its versions are the stored versions.
        Map<String, String> stored = current ? versions(cached.get().compiled().result()) : snapshots.versions(tenantId, mesh);
        snapshots.replace(tenantId, mesh, stored, result.snapshots());
        String nextGeneration = UUID.randomUUID().toString();
        resources.generation(tenantId, mesh, nextGeneration);
        afterCommit(() -> cache.put(tenantId, mesh, new CompiledMeshes.Entry(nextGeneration, compiled)));
        return new Outcome(result, changes);
    }

    /**
     * The mesh-level errors the mesh would have with {@code change} applied, storing nothing: for a
     * write whose document has errors of its own but still says what it means.
     */
    @Override
    public List<ApiViolation> errors(String tenantId, String mesh, Change change) {
        Optional<CompiledMesh> current = current(tenantId, mesh);
        MeshState next = applied(current.map(CompiledMesh::state).orElseGet(() -> read(tenantId, mesh)), change,
                endpoints.of(tenantId, mesh));
        CompileResult result = current.map(compiled -> compiled.recompile(next)).orElseGet(() -> CompiledMesh.compile(next)).result();
        return result.errors().stream().map(MeshCompilation::violation).toList();
    }

    private static Map<String, String> versions(CompileResult result) {
        Map<String, String> versions = new HashMap<>();
        result.snapshots().forEach((service, snapshot) -> versions.put(service, snapshot.version()));
        return versions;
    }

    private static MeshState applied(MeshState state, Change change, List<RegisteredEndpoint> registered) {
        MeshSpec spec = state.spec();
        TreeMap<String, ServiceSpec> services = new TreeMap<>(state.services());
        TreeMap<String, RouteSpec> routes = new TreeMap<>(state.routes());
        TreeMap<String, PolicySpec> policies = new TreeMap<>(state.policies());
        switch (change.kind()) {
            case MESH -> spec = (MeshSpec) change.spec();
            case SERVICE -> put(services, change.name(), (ServiceSpec) change.spec());
            case ROUTE -> put(routes, change.name(), (RouteSpec) change.spec());
            case POLICY -> put(policies, change.name(), (PolicySpec) change.spec());
        }
        return new MeshState(state.tenant(), state.mesh(), spec, services, routes, policies, registered);
    }

    private static <T> void put(TreeMap<String, T> specs, String name, T spec) {
        if (spec == null) specs.remove(name);
        else specs.put(name, spec);
    }

    /**
     * Runs {@code action} once the surrounding transaction commits. A failure there is logged and
     * swallowed: the write is committed, and its answer must say so.
     */
    private static void afterCommit(Runnable action) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) return;
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    log.warn("Keeping a compiled mesh after commit failed; the next write reads the mesh in full", e);
                }
            }
        });
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
