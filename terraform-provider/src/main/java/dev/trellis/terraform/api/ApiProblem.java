package dev.trellis.terraform.api;

import java.util.List;

/** The API refused a call: an RFC 9457 problem with every violation it listed. */
public final class ApiProblem extends RuntimeException {

    private final int status;
    private final String detail;
    private final List<Violation> violations;

    public ApiProblem(int status, String title, String detail, List<Violation> violations) {
        super(title == null || title.isBlank() ? "HTTP " + status : title);
        this.status = status;
        this.detail = detail == null ? "" : detail;
        this.violations = List.copyOf(violations);
    }

    public int status() {
        return status;
    }

    public String detail() {
        return detail;
    }

    public List<Violation> violations() {
        return violations;
    }

    /** A create-only write ({@code If-None-Match: *}) found the object already there. */
    public boolean exists() {
        return status == 412 && "Resource already exists".equals(getMessage());
    }

    /** The write carried a stale If-Match: somebody changed the resource since Terraform read it. */
    public boolean stale() {
        return (status == 412 || status == 409) && !exists();
    }
}
