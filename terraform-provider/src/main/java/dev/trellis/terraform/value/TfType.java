package dev.trellis.terraform.value;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A Terraform (cty) type. Values of these types are represented in Java as {@code null},
 * {@link Unknown#VALUE}, {@link String}, {@link java.math.BigDecimal}, {@link Boolean},
 * {@link java.util.List} (lists and sets) and {@link java.util.Map} (maps and objects).
 */
public sealed interface TfType {

    TfType STRING = new Primitive("string");
    TfType NUMBER = new Primitive("number");
    TfType BOOL = new Primitive("bool");

    /** The type in Terraform's JSON type notation, e.g. {@code ["list","string"]}. */
    String json();

    static TfType listOf(TfType element) {
        return new Collection("list", element);
    }

    static TfType setOf(TfType element) {
        return new Collection("set", element);
    }

    static TfType mapOf(TfType element) {
        return new Collection("map", element);
    }

    /** string, number or bool. */
    record Primitive(String name) implements TfType {
        @Override
        public String json() {
            return "\"" + name + "\"";
        }
    }

    /** list, set or map of one element type. */
    record Collection(String kind, TfType element) implements TfType {
        @Override
        public String json() {
            return "[\"" + kind + "\"," + element.json() + "]";
        }
    }

    /** An object with named attributes, in a stable order. */
    record ObjectType(Map<String, TfType> attributes) implements TfType {
        public ObjectType {
            attributes = new LinkedHashMap<>(attributes);
        }

        @Override
        public String json() {
            return attributes.entrySet().stream()
                    .map(e -> "\"" + e.getKey() + "\":" + e.getValue().json())
                    .collect(Collectors.joining(",", "[\"object\",{", "}]"));
        }
    }
}
