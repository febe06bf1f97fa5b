package dev.trellis.controlplane.web;

import org.springframework.http.HttpStatus;

/** The request body is larger than {@link JsonBody#MAX_BYTES}. Maps to 413. */
public class PayloadTooLarge extends RuntimeException implements ApiProblem {
    public PayloadTooLarge() {
        super("request body too large", null, false, false);
    }

    @Override
    public HttpStatus status() {
        return HttpStatus.CONTENT_TOO_LARGE;
    }

    @Override
    public String title() {
        return "Request body too large";
    }

    @Override
    public String detail() {
        return "bodies are limited to " + JsonBody.MAX_BYTES + " bytes";
    }
}
