package dev.trellis.controlplane.mesh;

import dev.trellis.controlplane.web.ApiProblem;
import dev.trellis.controlplane.web.ApiViolation;
import org.springframework.http.HttpStatus;

import java.util.List;

/** A delete would leave other resources pointing at nothing; they are named. Maps to 409. */
public class ResourceInUse extends RuntimeException implements ApiProblem {
    private final transient List<ApiViolation> violations;

    public ResourceInUse(String message, List<ApiViolation> violations) {
        super(message, null, false, false);
        this.violations = List.copyOf(violations);
    }

    @Override
    public List<ApiViolation> violations() {
        return violations;
    }

    @Override
    public HttpStatus status() {
        return HttpStatus.CONFLICT;
    }

    @Override
    public String title() {
        return "Resource in use";
    }
}
