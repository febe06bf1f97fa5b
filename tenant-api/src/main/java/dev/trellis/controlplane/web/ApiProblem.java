package dev.trellis.controlplane.web;

import org.springframework.http.HttpStatus;

import java.util.List;

/**
 * An exception that knows how it is answered: its status, a title, and the violations it lists.
 * Feature packages implement this on their domain exceptions, so {@link ProblemAdvice} maps every
 * one of them without importing any feature (the web layer stays a leaf of the package graph).
 * The exception's message is the problem's {@code detail} and must name nothing internal.
 */
public interface ApiProblem {
    HttpStatus status();

    String title();

    /** Every violation found, each with its JSON path; {@code null} when the problem lists none. */
    default List<ApiViolation> violations() {
        return null;
    }

    /**
     * Seconds after which the same request may succeed, sent as {@code Retry-After} (a refusal for load,
     * not for what the request says); {@code null} when retrying would not help.
     */
    default Integer retryAfterSeconds() {
        return null;
    }

    /** The problem's {@code detail}. */
    default String detail() {
        return ((Throwable) this).getMessage();
    }
}
