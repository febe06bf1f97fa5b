package dev.trellis.controlplane.web;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads request documents with limits an internet-facing API needs: size, nesting depth, number
 * and string length, duplicate keys, trailing garbage. Every failure is an {@link InvalidRequest}
 * whose message names the position, never a parser class.
 */
public final class JsonBody {
    public static final int MAX_BYTES = 1024 * 1024;
    static final int MAX_DEPTH = 32;
    /** A hostile document could have a bad string in each of thousands of places; the answer lists this many. */
    static final int MAX_TEXT_VIOLATIONS = 100;

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .maxDocumentLength(MAX_BYTES)
                            .maxNumberLength(64)
                            .maxStringLength(64 * 1024)
                            .maxNameLength(1024)
                            .build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonBody() {
    }

    /** Parses a required JSON object body. */
    public static JsonNode object(byte[] body) {
        if (body == null || body.length == 0) throw InvalidRequest.of("", "a JSON object body is required");
        if (body.length > MAX_BYTES) throw new PayloadTooLarge();
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (StreamConstraintsException e) {
            throw InvalidRequest.of("", "document exceeds a limit (nesting depth " + MAX_DEPTH
                    + ", number length 64, string length 65536)");
        } catch (JacksonException e) {
            var location = e.getLocation();
            String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
            throw InvalidRequest.of("", "malformed JSON" + where);
        }
        if (node == null || !node.isObject()) throw InvalidRequest.of("", "the body must be a JSON object");
        List<ApiViolation> unstorable = new ArrayList<>();
        checkText(node, Path.ROOT, unstorable);
        if (!unstorable.isEmpty()) throw new InvalidRequest(unstorable);
        return node;
    }

    /**
     * Whether a text can be stored and sent back as it came: PostgreSQL refuses the NUL character in
     * text and jsonb, and a UTF-16 surrogate without its pair has no UTF-8 form. Every string of every
     * document (names of fields too) passes here before any part of the control plane sees it.
     */
    public static boolean storable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) return false;
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) return false;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    static final String UNSTORABLE = "must not contain the NUL character or an unpaired UTF-16 surrogate";

    /**
     * Where a node is, spelled out only for a violation: every string of every body passes here, and
     * building each node's path as a string was most of the bytes a usage report's check allocated.
     */
    private record Path(Path parent, String field, int index) {
        static final Path ROOT = new Path(null, null, -1);

        Path field(String name) {
            return new Path(this, name, -1);
        }

        Path index(int i) {
            return new Path(this, null, i);
        }

        @Override
        public String toString() {
            if (parent == null) return "";
            String above = parent.toString();
            if (field == null) return above + "[" + index + "]";
            return above.isEmpty() ? field : above + "." + field;
        }
    }

    private static void checkText(JsonNode node, Path path, List<ApiViolation> violations) {
        if (violations.size() >= MAX_TEXT_VIOLATIONS) return;
        if (node.isString()) {
            if (!storable(node.asString())) violations.add(ApiViolation.at(path.toString(), UNSTORABLE));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) checkText(node.get(i), path.index(i), violations);
        } else if (node.isObject()) {
            for (var entry : node.properties()) {
                if (!storable(entry.getKey())) {
                    violations.add(ApiViolation.at(path.toString(), "field names " + UNSTORABLE));
                    continue;
                }
                checkText(entry.getValue(), path.field(entry.getKey()), violations);
            }
        }
    }

    /** Parses an optional JSON object body: an empty body is an empty object. */
    public static JsonNode optionalObject(byte[] body) {
        return body == null || body.length == 0 ? MAPPER.createObjectNode() : object(body);
    }

    static JsonMapper mapper() {
        return MAPPER;
    }
}
