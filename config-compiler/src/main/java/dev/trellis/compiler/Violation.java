package dev.trellis.compiler;

/**
 * One problem found in a declaration.
 *
 * @param resource the resource it is in ({@code "routes/echo-canary"}, {@code "services/echo"}, {@code "mesh"},
 *                 {@code "policies/web-to-echo"}), or null when a single document was validated on its own
 * @param field    JSON path inside that document, e.g. {@code rules[0].backends[1].weight}; {@code ""} for the
 *                 document itself
 * @param message  what is wrong, for a person to read
 */
public record Violation(String resource, String field, String message) {
}
