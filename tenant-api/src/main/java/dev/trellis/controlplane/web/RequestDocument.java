package dev.trellis.controlplane.web;

import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.Optional;

/**
 * Reads the control plane's own small documents (API keys, members, join tokens, simulations,
 * fleet reports), collecting every violation with its field before failing, like the compiler
 * does for mesh documents. By construction a value read here is never {@code null} where it is
 * required (an explicit JSON {@code null} is a missing field), never longer than its limit
 * ({@link #MAX_TEXT} unless the field names its own), and storable ({@link JsonBody} refused NUL
 * and unpaired surrogates when it parsed the document).
 */
public final class RequestDocument {
    /** The longest string a field of these documents takes unless it says otherwise (names, versions, sources, paths). */
    public static final int MAX_TEXT = 256;

    private final JsonNode document;
    private final List<ApiViolation> violations = new ArrayList<>();

    public RequestDocument(JsonNode document, Set<String> allowedFields) {
        this.document = document;
        for (String field : document.propertyNames()) {
            if (!allowedFields.contains(field)) violations.add(ApiViolation.at(field, "unknown field"));
        }
    }

    /** A required string of at most {@link #MAX_TEXT} characters; null (with a violation) when missing, null or wrong. */
    public String text(String field) {
        return text(field, MAX_TEXT);
    }

    /** A required string of at most {@code maxLength} characters. */
    public String text(String field, int maxLength) {
        JsonNode value = document.get(field);
        if (value == null || value.isNull()) {
            violations.add(ApiViolation.at(field, "is required"));
            return null;
        }
        return checked(field, value, maxLength).orElse(null);
    }

    /** An optional string of at most {@link #MAX_TEXT} characters; absent and {@code null} are the same. */
    public Optional<String> optionalText(String field) {
        return optionalText(field, MAX_TEXT);
    }

    public Optional<String> optionalText(String field, int maxLength) {
        JsonNode value = document.get(field);
        if (value == null || value.isNull()) return Optional.empty();
        return checked(field, value, maxLength);
    }

    private Optional<String> checked(String field, JsonNode value, int maxLength) {
        if (!value.isString()) {
            violations.add(ApiViolation.at(field, "must be a string"));
            return Optional.empty();
        }
        String text = value.asString();
        if (text.length() > maxLength) {
            violations.add(ApiViolation.at(field, "must be at most " + maxLength + " characters"));
            return Optional.empty();
        }
        return Optional.of(text);
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
