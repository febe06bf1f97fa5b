package dev.trellis.controlplane.web;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One problem with a request, as listed in a problem document's {@code violations}.
 *
 * @param resource the resource the problem is in ({@code routes/echo-canary}), or null for the request's own document
 * @param field    JSON path inside that document ({@code rules[0].backends[1].weight}; "" for the document itself)
 * @param message  what is wrong, for a person
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiViolation(String resource, String field, String message) {

    public static ApiViolation at(String field, String message) {
        return new ApiViolation(null, field, message);
    }
}
