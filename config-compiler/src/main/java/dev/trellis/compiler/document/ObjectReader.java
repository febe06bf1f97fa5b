package dev.trellis.compiler.document;

import dev.trellis.compiler.snapshot.MatchPatterns;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads one JSON object of an API document field by field, recording a violation with its JSON
 * path for every missing, mistyped or out-of-range value instead of stopping at the first. A
 * getter returns null when the value is absent or invalid; {@link #end()} reports every field
 * that no getter asked for as unknown, so typos such as {@code "wieght"} are caught.
 */
public final class ObjectReader {
    private static final JsonNode MISSING = tools.jackson.databind.node.MissingNode.getInstance();

    private final JsonNode node;
    private final String path;
    private final Violations out;
    private final Set<String> asked = new HashSet<>();

    private ObjectReader(JsonNode node, String path, Violations out) {
        this.node = node;
        this.path = path;
        this.out = out;
    }

    /** A reader for a whole document; a document that is not an object is one violation at {@code ""}. */
    public static ObjectReader root(JsonNode doc, Violations out) {
        return of(doc, "", out);
    }

    /** A reader for the object at {@code path}; anything else is one violation there. */
    public static ObjectReader of(JsonNode json, String path, Violations out) {
        if (json == null || !json.isObject()) {
            out.add(path, "must be a JSON object");
            return new ObjectReader(MISSING, path, out);
        }
        return new ObjectReader(json, path, out);
    }

    /** The JSON path of one of this object's fields. */
    public String path(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    /** Records a problem on one of this object's fields. */
    public void violation(String field, String message) {
        out.add(field.isEmpty() ? path : path(field), message);
    }

    /** Whether the field is present (and not null). */
    public boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    private JsonNode value(String field, boolean required) {
        asked.add(field);
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) out.add(path(field), "is required");
            return null;
        }
        return v;
    }

    public String string(String field, boolean required) {
        JsonNode v = value(field, required);
        if (v == null) return null;
        if (!v.isString()) {
            out.add(path(field), "must be a string");
            return null;
        }
        if (required && v.stringValue().isEmpty()) {
            out.add(path(field), "must not be empty");
            return null;
        }
        return v.stringValue();
    }

    /** A string that names a resource (a DNS-1123 label). */
    public String name(String field, boolean required) {
        String s = string(field, required);
        if (s == null) return null;
        String problem = Names.problem(s);
        if (problem != null) {
            out.add(path(field), problem);
            return null;
        }
        return s;
    }

    /** A string that must be an acceptable regular expression (see {@link MatchPatterns}). */
    public String regex(String field, boolean required) {
        String s = string(field, required);
        if (s == null) return null;
        String problem = MatchPatterns.problem(s);
        if (problem != null) {
            out.add(path(field), problem);
            return null;
        }
        return s;
    }

    public Integer integer(String field, int min, int max, boolean required) {
        JsonNode v = value(field, required);
        if (v == null) return null;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            out.add(path(field), "must be an integer");
            return null;
        }
        int i = v.intValue();
        if (i < min || i > max) {
            out.add(path(field), "must be between " + min + " and " + max);
            return null;
        }
        return i;
    }

    public Double number(String field, double min, double max, boolean required) {
        JsonNode v = value(field, required);
        if (v == null) return null;
        if (!v.isNumber()) {
            out.add(path(field), "must be a number");
            return null;
        }
        double d = v.doubleValue();
        if (d < min || d > max) {
            out.add(path(field), "must be between " + fmt(min) + " and " + fmt(max));
            return null;
        }
        return d;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    public Boolean bool(String field, boolean required) {
        JsonNode v = value(field, required);
        if (v == null) return null;
        if (!v.isBoolean()) {
            out.add(path(field), "must be true or false");
            return null;
        }
        return v.booleanValue();
    }

    /** A duration in milliseconds, within [{@code minMs}, {@code maxMs}]. */
    public Long duration(String field, long minMs, long maxMs, boolean required) {
        JsonNode v = value(field, required);
        if (v == null) return null;
        long ms = v.isString() ? Durations.parseMillis(v.stringValue()) : -1;
        if (ms < 0) {
            out.add(path(field), "must be a duration such as \"250ms\", \"2s\", \"10m\" or \"1h\"");
            return null;
        }
        if (ms < minMs || ms > maxMs) {
            out.add(path(field), "must be between " + Durations.format(minMs) + " and " + Durations.format(maxMs));
            return null;
        }
        return ms;
    }

    /** One of an enum's constants, written in upper or lower case as the API documents it. */
    public <E extends Enum<E>> E enumValue(String field, Class<E> type, boolean required) {
        String s = string(field, required);
        if (s == null) return null;
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(s.toUpperCase(Locale.ROOT))) return e;
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) names.add(e.name());
        out.add(path(field), "must be one of " + String.join(", ", names));
        return null;
    }

    /** A list of strings, each checked by {@code check} (returns a problem or null); absent gives an empty list. */
    public List<String> strings(String field, boolean required, Function<String, String> check) {
        JsonNode v = value(field, required);
        if (v == null) return required ? null : List.of();
        if (!v.isArray()) {
            out.add(path(field), "must be an array of strings");
            return null;
        }
        List<String> result = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            String itemPath = path(field) + "[" + i + "]";
            if (!item.isString()) {
                out.add(itemPath, "must be a string");
                continue;
            }
            String problem = check.apply(item.stringValue());
            if (problem != null) out.add(itemPath, problem);
            else result.add(item.stringValue());
        }
        return result;
    }

    /** A nested object read by {@code read}; null when absent. Unknown fields inside it are reported too. */
    public <T> T object(String field, boolean required, Function<ObjectReader, T> read) {
        JsonNode v = value(field, required);
        if (v == null) return null;
        ObjectReader inner = of(v, path(field), out);
        if (inner.node == MISSING) return null;
        T result = read.apply(inner);
        inner.end();
        return result;
    }

    /** An array of objects, each read by {@code read}; absent gives an empty list (or a violation if required). */
    public <T> List<T> objects(String field, boolean required, Function<ObjectReader, T> read) {
        JsonNode v = value(field, required);
        if (v == null) return List.of();
        if (!v.isArray()) {
            out.add(path(field), "must be an array");
            return List.of();
        }
        if (required && v.isEmpty()) out.add(path(field), "must not be empty");
        List<T> result = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            ObjectReader inner = of(v.get(i), path(field) + "[" + i + "]", out);
            if (inner.node == MISSING) continue;
            T item = read.apply(inner);
            inner.end();
            if (item != null) result.add(item);
        }
        return result;
    }

    /** An object of string values, e.g. headers to set; absent gives an empty map. */
    public Map<String, String> stringMap(String field) {
        JsonNode v = value(field, false);
        Map<String, String> result = new LinkedHashMap<>();
        if (v == null) return result;
        if (!v.isObject()) {
            out.add(path(field), "must be an object of strings");
            return result;
        }
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (e.getValue().isString()) result.put(e.getKey(), e.getValue().stringValue());
            else out.add(path(field) + "." + e.getKey(), "must be a string");
        }
        return result;
    }

    /** The raw value of a field, marking it as known; for readers that dispatch on its shape. */
    public JsonNode raw(String field) {
        return value(field, false);
    }

    /** Reports every field of this object that no getter asked for. */
    public void end() {
        for (String name : node.propertyNames()) {
            if (!asked.contains(name)) out.add(path(name), "unknown field");
        }
    }
}
