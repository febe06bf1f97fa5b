package dev.trellis.terraform.api;

/**
 * One problem the API found, at a JSON path of a document ({@code rules[0].backends[1].weight}).
 *
 * @param resource the resource whose document holds the problem ({@code routes/echo-canary}), or
 *                 null for the document that was sent; set for findings of the whole-mesh compilation
 */
public record Violation(String resource, String field, String message) {

    /** Reads one entry of a problem's or a dry run's {@code violations}. */
    public static Violation of(tools.jackson.databind.JsonNode v) {
        return new Violation(v.path("resource").asString(null), v.path("field").asString(""),
                v.path("message").asString(v.isString() ? v.asString() : ""));
    }

    /** Whether the problem lies in the document of {@code self} ({@code services/echo}). */
    public boolean in(String self) {
        return resource == null || resource.isEmpty() || resource.equals(self);
    }
}
