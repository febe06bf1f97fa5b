package dev.trellis.controlplane.web;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads request documents with limits an internet-facing API needs: size, nesting depth, number
 * and string length, duplicate keys, trailing garbage. Every failure is an {@link InvalidRequest}
 * whose message names the position, never a parser class.
 */
public final class JsonBody {
    public static final int MAX_BYTES = 1024 * 1024;
    static final int MAX_DEPTH = 32;

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
        return node;
    }

    /** Parses an optional JSON object body: an empty body is an empty object. */
    public static JsonNode optionalObject(byte[] body) {
        return body == null || body.length == 0 ? MAPPER.createObjectNode() : object(body);
    }

    static JsonMapper mapper() {
        return MAPPER;
    }
}
