package dev.trellis.controlplane.web;

import org.springframework.http.HttpStatus;

/** Base of the domain's "no such thing in the caller's tenant" exceptions. Maps to 404. */
public abstract class NotFound extends RuntimeException implements ApiProblem {
    protected NotFound(String message) {
        super(message, null, false, false);
    }

    @Override
    public HttpStatus status() {
        return HttpStatus.NOT_FOUND;
    }

    @Override
    public String title() {
        return "Not found";
    }
}
