package dev.trellis.controlplane.web;

import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.List;

/** Writes a problem document from a servlet filter, where the controller advice does not reach. */
public final class ProblemResponses {
    private ProblemResponses() {
    }

    public static void write(HttpServletResponse response, HttpStatus status, String title, String detail)
            throws IOException {
        write(response, status, title, detail, null);
    }

    /** A domain exception's problem, with its violations, as {@link ProblemAdvice} would answer it. */
    public static void write(HttpServletResponse response, ApiProblem known) throws IOException {
        if (known.retryAfterSeconds() != null) response.setHeader(HttpHeaders.RETRY_AFTER, known.retryAfterSeconds().toString());
        write(response, known.status(), known.title(), known.detail(), known.violations());
    }

    private static void write(HttpServletResponse response, HttpStatus status, String title, String detail,
                              List<ApiViolation> violations) throws IOException {
        ObjectNode problem = JsonBody.mapper().createObjectNode()
                .put("type", "about:blank")
                .put("title", title)
                .put("status", status.value())
                .put("detail", detail);
        if (violations != null) problem.set("violations", JsonBody.mapper().valueToTree(violations));
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getOutputStream().write(JsonBody.mapper().writeValueAsBytes(problem));
    }
}
