package dev.trellis.terraform.schema;

import dev.trellis.terraform.value.TfType;
import dev.trellis.terraform.value.Unknown;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Moves values between a Terraform object of a {@link Block} and the API's JSON document, field by
 * field along each attribute's {@code jsonPath}. Null, unknown and computed-only values are left out of documents;
 * fields missing from a document become null (attributes) or no blocks.
 */
public final class DocumentMapping {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private DocumentMapping() {
    }

    public static ObjectNode toDocument(Block block, Map<String, Object> value) {
        ObjectNode document = NODES.objectNode();
        for (Attribute a : block.attributes()) {
            Object v = value.get(a.name());
            // computed attributes (resourceVersion, createdAt...) are the API's to set, never sent
            if (a.jsonPath() == null || !a.configurable() || v == null || v == Unknown.VALUE) {
                continue;
            }
            put(document, a.jsonPath(), a.embeddedJson() ? JSON.readTree((String) v) : json(v, a.type()));
        }
        for (NestedBlock nested : block.blocks()) {
            List<?> items = (List<?>) value.get(nested.name());
            if (items == null || items.isEmpty()) {
                continue;
            }
            ArrayNode array = NODES.arrayNode();
            for (Object item : items) {
                array.add(toDocument(nested.block(), asObject(item)));
            }
            put(document, nested.jsonPath(), nested.singleObject() ? array.get(0) : array);
        }
        return document;
    }

    /**
     * The Terraform value of a document. {@code prior} (may be null) keeps the user's spelling of
     * embedded JSON strings that mean the same document.
     */
    public static Map<String, Object> fromDocument(Block block, JsonNode document, Map<String, Object> prior) {
        Map<String, Object> value = new LinkedHashMap<>();
        for (Attribute a : block.attributes()) {
            JsonNode node = a.jsonPath() == null ? null : at(document, a.jsonPath());
            if (a.embeddedJson() && node != null && !node.isNull()) {
                Object before = prior == null ? null : prior.get(a.name());
                value.put(a.name(), before instanceof String s && sameJson(s, node) ? s : JSON.writeValueAsString(sorted(node)));
            } else {
                value.put(a.name(), fromJson(node, a.type()));
            }
        }
        for (NestedBlock nested : block.blocks()) {
            JsonNode node = at(document, nested.jsonPath());
            List<Object> items = new ArrayList<>();
            if (node != null && node.isArray()) {
                node.forEach(item -> items.add(fromDocument(nested.block(), item, null)));
            } else if (node != null && node.isObject()) {
                items.add(fromDocument(nested.block(), node, null));
            }
            value.put(nested.name(), items);
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asObject(Object value) {
        return (Map<String, Object>) value;
    }

    /**
     * The node with object keys in lexical order, as Terraform's {@code jsonencode} writes them:
     * the API stores JSON in PostgreSQL's jsonb, which keeps its own key order, and an imported
     * object must not differ from the configuration by key order alone.
     */
    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = NODES.objectNode();
            new java.util.TreeMap<>(node.propertyStream().collect(java.util.stream.Collectors.toMap(
                    Map.Entry::getKey, Map.Entry::getValue))).forEach((k, v) -> copy.set(k, sorted(v)));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = NODES.arrayNode();
            node.forEach(element -> copy.add(sorted(element)));
            return copy;
        }
        return node;
    }

    private static boolean sameJson(String text, JsonNode node) {
        try {
            return JSON.readTree(text).equals(node);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static JsonNode json(Object v, TfType type) {
        return switch (v) {
            case String s -> NODES.stringNode(s);
            case Boolean b -> NODES.booleanNode(b);
            case BigDecimal n -> number(n);
            case List<?> list -> {
                ArrayNode array = NODES.arrayNode();
                TfType element = ((TfType.Collection) type).element();
                list.stream().filter(e -> e != null && e != Unknown.VALUE).forEach(e -> array.add(json(e, element)));
                yield array;
            }
            case Map<?, ?> map -> {
                ObjectNode object = NODES.objectNode();
                map.forEach((k, e) -> {
                    if (e != null && e != Unknown.VALUE) {
                        TfType element = type instanceof TfType.Collection c ? c.element()
                                : ((TfType.ObjectType) type).attributes().get((String) k);
                        object.set((String) k, json(e, element));
                    }
                });
                yield object;
            }
            default -> throw new IllegalArgumentException("no JSON form for " + v.getClass().getSimpleName());
        };
    }

    /** Integers as JSON integers (int or long where they fit, as a parser would read them), others as decimals. */
    private static JsonNode number(BigDecimal n) {
        BigDecimal stripped = n.stripTrailingZeros();
        if (stripped.scale() > 0) {
            return NODES.numberNode(n);
        }
        java.math.BigInteger integer = stripped.toBigIntegerExact();
        if (integer.bitLength() < 32) {
            return NODES.numberNode(integer.intValue());
        }
        return integer.bitLength() < 64 ? NODES.numberNode(integer.longValue()) : NODES.numberNode(integer);
    }

    private static Object fromJson(JsonNode node, TfType type) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        return switch (type) {
            case TfType.Primitive p when p.equals(TfType.STRING) -> node.isValueNode() ? node.asString() : JSON.writeValueAsString(node);
            case TfType.Primitive p when p.equals(TfType.BOOL) -> node.asBoolean();
            case TfType.Primitive p -> node.isNumber() ? node.decimalValue() : new BigDecimal(node.asString());
            case TfType.Collection c when c.kind().equals("map") -> {
                Map<String, Object> map = new LinkedHashMap<>();
                node.properties().forEach(e -> map.put(e.getKey(), fromJson(e.getValue(), c.element())));
                yield map;
            }
            case TfType.Collection c -> {
                List<Object> list = new ArrayList<>();
                node.forEach(e -> list.add(fromJson(e, c.element())));
                yield list;
            }
            case TfType.ObjectType o -> {
                Map<String, Object> object = new LinkedHashMap<>();
                o.attributes().forEach((name, t) -> object.put(name, fromJson(node.get(name), t)));
                yield object;
            }
        };
    }

    private static JsonNode at(JsonNode document, String path) {
        JsonNode node = document;
        for (String step : path.split("\\.")) {
            node = node == null ? null : node.get(step);
        }
        return node;
    }

    private static void put(ObjectNode document, String path, JsonNode value) {
        String[] steps = path.split("\\.");
        ObjectNode parent = document;
        for (int i = 0; i < steps.length - 1; i++) {
            JsonNode child = parent.get(steps[i]);
            parent = child instanceof ObjectNode o ? o : parent.putObject(steps[i]);
        }
        parent.set(steps[steps.length - 1], value);
    }
}
