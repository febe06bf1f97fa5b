package dev.trellis.controlplane.web;

import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.Optional;

/**
 * Reads the control plane's own small documents (API keys, members, join tokens, simulations),
 * collecting every violation with its field before failing, like the compiler does for mesh documents.
 */
public final class RequestDocument {
    private final JsonNode document;
    private final List<ApiViolation> violations = new ArrayList<>();

    public RequestDocument(JsonNode document, Set<String> allowedFields) {
        this.document = document;
        for (String field : document.propertyNames()) {
            if (!allowedFields.contains(field)) violations.add(ApiViolation.at(field, "unknown field"));
        }
    }

    public String text(String field) {
        return optionalText(field).orElseGet(() -> {
            if (!document.has(field)) violations.add(ApiViolation.at(field, "is required"));
            return null;
        });
    }

    public Optional<String> optionalText(String field) {
        JsonNode value = document.get(field);
        if (value == null || value.isNull()) return Optional.empty();
        if (!value.isString()) {
            violations.add(ApiViolation.at(field, "must be a string"));
            return Optional.empty();
        }
        return Optional.of(value.asString());
    }

    /** A required string field turned into a value by {@code parse}, which answers empty when the text is wrong. */
    public <T> T parsed(String field, Function<String, Optional<T>> parse, String expectation) {
        String text = text(field);
        if (text == null) return null;
        Optional<T> value = parse.apply(text);
        if (value.isEmpty()) violations.add(ApiViolation.at(field, expectation));
        return value.orElse(null);
    }

    public void violation(String field, String message) {
        violations.add(ApiViolation.at(field, message));
    }

    /** @throws InvalidRequest listing every violation collected so far */
    public void check() {
        if (!violations.isEmpty()) throw new InvalidRequest(violations);
    }
}
