package dev.trellis.terraform.schema;

import dev.trellis.terraform.value.TfType;

/**
 * One attribute of a Terraform schema block and where it lives in the API document.
 *
 * @param jsonPath dotted path of the field in the API's JSON document ({@code loadBalancer.algorithm}),
 *                 or {@code null} when the attribute is Terraform-side only
 * @param embeddedJson the string attribute holds a JSON document that the API stores as a JSON value
 */
public record Attribute(String name, TfType type, Mode mode, boolean sensitive, String description, String jsonPath,
                        boolean embeddedJson) {

    /** Who sets the value: the configuration, the provider, or either. */
    public enum Mode { REQUIRED, OPTIONAL, COMPUTED, OPTIONAL_COMPUTED }

    public static Attribute required(String name, TfType type, String description) {
        return new Attribute(name, type, Mode.REQUIRED, false, description, camelCase(name), false);
    }

    public static Attribute optional(String name, TfType type, String description) {
        return new Attribute(name, type, Mode.OPTIONAL, false, description, camelCase(name), false);
    }

    public static Attribute optionalComputed(String name, TfType type, String description) {
        return new Attribute(name, type, Mode.OPTIONAL_COMPUTED, false, description, camelCase(name), false);
    }

    public static Attribute computed(String name, TfType type, String description) {
        return new Attribute(name, type, Mode.COMPUTED, false, description, camelCase(name), false);
    }

    public Attribute json(String path) {
        return new Attribute(name, type, mode, sensitive, description, path, embeddedJson);
    }

    public Attribute localOnly() {
        return json(null);
    }

    public Attribute secret() {
        return new Attribute(name, type, mode, true, description, jsonPath, embeddedJson);
    }

    public Attribute jsonString() {
        return new Attribute(name, type, mode, sensitive, description, jsonPath, true);
    }

    public boolean computed() {
        return mode == Mode.COMPUTED || mode == Mode.OPTIONAL_COMPUTED;
    }

    public boolean configurable() {
        return mode != Mode.COMPUTED;
    }

    static String camelCase(String snake) {
        StringBuilder camel = new StringBuilder();
        boolean upper = false;
        for (char c : snake.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                camel.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return camel.toString();
    }
}
