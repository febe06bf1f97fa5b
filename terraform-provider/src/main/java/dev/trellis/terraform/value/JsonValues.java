package dev.trellis.terraform.value;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Terraform's JSON encoding of values, in which it hands back stored state for upgrade. */
public final class JsonValues {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonValues() {
    }

    public static Object decode(byte[] json, TfType type) {
        return read(JSON.readTree(json), type);
    }

    private static Object read(JsonNode node, TfType type) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        return switch (type) {
            case TfType.Primitive p when p.equals(TfType.STRING) -> node.asString();
            case TfType.Primitive p when p.equals(TfType.BOOL) -> node.asBoolean();
            case TfType.Primitive p -> node.decimalValue();
            case TfType.Collection c when c.kind().equals("map") -> {
                Map<String, Object> map = new LinkedHashMap<>();
                node.properties().forEach(e -> map.put(e.getKey(), read(e.getValue(), c.element())));
                yield map;
            }
            case TfType.Collection c -> {
                List<Object> list = new ArrayList<>();
                node.forEach(element -> list.add(read(element, c.element())));
                yield list;
            }
            case TfType.ObjectType o -> {
                Map<String, Object> object = new LinkedHashMap<>();
                o.attributes().forEach((name, attributeType) -> object.put(name, read(node.get(name), attributeType)));
                yield object;
            }
        };
    }
}
