package dev.trellis.compiler;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Test documents written with single quotes, for readability. */
final class Json {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }

    static JsonNode of(String singleQuoted) {
        return MAPPER.readTree(singleQuoted.replace('\'', '"'));
    }
}
