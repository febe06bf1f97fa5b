package dev.trellis.controlplane.mesh;

import dev.trellis.compiler.CompileResult;
import dev.trellis.compiler.MeshState;
import dev.trellis.compiler.SnapshotChange;

import dev.trellis.controlplane.web.ApiViolation;

import java.util.List;

/**
 * What a declarative write needs of compilation, inside the write's transaction. The snapshot
 * package implements it (it owns the stored snapshots); the mesh package depends only on this
 * contract, so the two do not import each other.
 */
public interface MeshRecompiler {

    /** What a successful recompilation did: the compiler's result and which proxies' snapshots changed (when asked). */
    record Outcome(CompileResult result, List<SnapshotChange> changes) {
    }

    /**
     * The one document a write changed, already parsed and validated: {@code spec} is the compiler's
     * model of it ({@code MeshSpec}, {@code ServiceSpec}, {@code RouteSpec}, {@code PolicySpec}), or
     * null when the write deleted it.
     */
    record Change(ResourceKind kind, String name, Object spec) {
    }

    /** The mesh as declared now, parsed with the compiler. */
    MeshState state(String tenantId, String mesh);

    /** Compiles the mesh as it stands in this transaction, without storing anything. */
    CompileResult compile(String tenantId, String mesh);

    /**
     * Compiles the mesh and stores the snapshots that changed; the detailed diff only when asked.
     *
     * @throws MeshInvalid with every compile error when the mesh does not compile
     */
    Outcome recompile(String tenantId, String mesh, boolean withDiff);

    /**
     * As {@link #recompile(String, String, boolean)}, for a write that changed one document (null:
     * changes not known); the implementation may then rebuild only what the change can reach.
     */
    Outcome recompile(String tenantId, String mesh, Change change, boolean withDiff);

    /**
     * The mesh-level errors the mesh would have with {@code change} applied, storing nothing: for a
     * write whose document has errors of its own but still says what it means.
     */
    List<ApiViolation> errors(String tenantId, String mesh, Change change);
}
