package dev.trellis.controlplane.mesh;

import dev.trellis.controlplane.web.ApiProblem;
import dev.trellis.controlplane.web.ApiViolation;
import org.springframework.http.HttpStatus;

import java.util.List;

/** The mesh would not compile with this change: every error, with its resource and path. Maps to 400. */
public class MeshInvalid extends RuntimeException implements ApiProblem {
    private final transient List<ApiViolation> violations;

    public MeshInvalid(List<ApiViolation> violations) {
        super("the mesh does not compile", null, false, false);
        this.violations = List.copyOf(violations);
    }

    @Override
    public List<ApiViolation> violations() {
        return violations;
    }

    @Override
    public HttpStatus status() {
        return HttpStatus.BAD_REQUEST;
    }

    @Override
    public String title() {
        return "Mesh does not compile";
    }

    @Override
    public String detail() {
        return "the mesh would have " + violations.size() + " error(s); nothing was stored";
    }
}
