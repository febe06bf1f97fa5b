package dev.trellis.controlplane.web;

import org.springframework.http.HttpStatus;

import java.util.List;

/** The request's document or parameters are wrong; every violation found is listed. Maps to 400. */
public class InvalidRequest extends RuntimeException implements ApiProblem {
    private final transient List<ApiViolation> violations;

    public InvalidRequest(List<ApiViolation> violations) {
        super("invalid request", null, false, false);
        this.violations = List.copyOf(violations);
    }

    public static InvalidRequest of(String field, String message) {
        return new InvalidRequest(List.of(ApiViolation.at(field, message)));
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
        return "Invalid request";
    }

    @Override
    public String detail() {
        return "the request has " + violations.size() + " violation(s)";
    }
}
