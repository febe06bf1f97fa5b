package dev.trellis.controlplane.mesh;

import dev.trellis.controlplane.web.ApiViolation;

import java.util.List;

/** The mesh would not compile with this change: every error, with its resource and path. Maps to 400. */
public class MeshInvalid extends RuntimeException {
    private final transient List<ApiViolation> violations;

    public MeshInvalid(List<ApiViolation> violations) {
        super("the mesh does not compile", null, false, false);
        this.violations = List.copyOf(violations);
    }

    public List<ApiViolation> violations() {
        return violations;
    }
}
