package dev.trellis.controlplane.authority;

import dev.trellis.controlplane.web.ApiProblem;
import org.springframework.http.HttpStatus;

import java.time.Instant;

/** A root rotation was asked for while the mesh's previous one has not completed. Maps to 409. */
public class RotationInProgress extends RuntimeException implements ApiProblem {
    public RotationInProgress(String mesh, Instant completesAt) {
        super("mesh " + mesh + " is rotating its root; a new rotation can begin at " + completesAt, null, false, false);
    }

    @Override
    public HttpStatus status() {
        return HttpStatus.CONFLICT;
    }

    @Override
    public String title() {
        return "Root rotation in progress";
    }
}
