package dev.trellis.compiler;

/**
 * Compiles a tenant's declared mesh: cross-resource validation (errors), whole-graph analysis
 * (warnings, and errors where harm is certain), and one immutable, versioned snapshot per
 * service. A pure function of its input. To recompile after a small change without redoing
 * every snapshot, keep a {@link CompiledMesh} instead.
 */
public final class MeshCompiler {
    private MeshCompiler() {
    }

    /** Compiles the whole mesh. */
    public static CompileResult compile(MeshState state) {
        return CompiledMesh.compile(state).result();
    }
}
