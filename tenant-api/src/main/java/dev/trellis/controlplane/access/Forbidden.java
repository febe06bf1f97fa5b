package dev.trellis.controlplane.access;

import dev.trellis.controlplane.web.ApiProblem;
import org.springframework.http.HttpStatus;

/** The caller is known but its role does not allow this. Maps to 403. */
public class Forbidden extends RuntimeException implements ApiProblem {
    public Forbidden(String message) {
        super(message, null, false, false);
    }

    @Override
    public HttpStatus status() {
        return HttpStatus.FORBIDDEN;
    }

    @Override
    public String title() {
        return "Forbidden";
    }
}
