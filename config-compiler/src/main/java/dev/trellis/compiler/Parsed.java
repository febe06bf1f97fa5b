package dev.trellis.compiler;

import java.util.List;

/**
 * The result of parsing and validating one API document.
 *
 * @param value      the parsed document, or null when {@code violations} is not empty
 * @param violations every problem found, each with its JSON path; empty when the document is valid
 * @param <T>        the document's model type
 */
public record Parsed<T>(T value, List<Violation> violations) {
    public Parsed {
        violations = List.copyOf(violations);
        if (!violations.isEmpty()) value = null;
    }

    /** Whether the document is valid. */
    public boolean ok() {
        return violations.isEmpty();
    }
}
