package dev.trellis.terraform.resource;

import dev.trellis.terraform.schema.Attribute;
import dev.trellis.terraform.schema.Block;
import dev.trellis.terraform.schema.NestedBlock;
import dev.trellis.terraform.value.Unknown;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Whole-object operations on Terraform values of a schema block. */
public final class ResourceValues {

    private ResourceValues() {
    }

    /** An object with every attribute null and no nested blocks. */
    public static Map<String, Object> empty(Block block) {
        Map<String, Object> value = new LinkedHashMap<>();
        block.attributes().forEach(a -> value.put(a.name(), null));
        block.blocks().forEach(b -> value.put(b.name(), new ArrayList<>()));
        return value;
    }

    /** Deep equality in which numbers compare by value (8080 equals 8080.0). */
    public static boolean same(Object a, Object b) {
        return switch (a) {
            case null -> b == null;
            case java.math.BigDecimal n -> b instanceof java.math.BigDecimal m && n.compareTo(m) == 0;
            case List<?> list -> b instanceof List<?> other && list.size() == other.size()
                    && java.util.stream.IntStream.range(0, list.size()).allMatch(i -> same(list.get(i), other.get(i)));
            case Map<?, ?> map -> b instanceof Map<?, ?> other && map.keySet().equals(other.keySet())
                    && map.keySet().stream().allMatch(k -> same(map.get(k), other.get(k)));
            default -> a.equals(b);
        };
    }

    /** True when the value holds an unknown anywhere. */
    public static boolean hasUnknown(Object value) {
        return switch (value) {
            case null -> false;
            case Unknown u -> true;
            case List<?> list -> list.stream().anyMatch(ResourceValues::hasUnknown);
            case Map<?, ?> map -> map.values().stream().anyMatch(ResourceValues::hasUnknown);
            default -> false;
        };
    }

    /**
     * The planned value of a new object: what the configuration says, with every computed
     * attribute the configuration leaves null marked unknown (known after apply).
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> unknownComputed(Block block, Map<String, Object> proposed) {
        Map<String, Object> planned = new LinkedHashMap<>(proposed);
        for (Attribute a : block.attributes()) {
            if (a.computed() && planned.get(a.name()) == null) {
                planned.put(a.name(), Unknown.VALUE);
            }
        }
        for (NestedBlock nested : block.blocks()) {
            Object items = planned.get(nested.name());
            if (items instanceof List<?> list) {
                List<Object> copy = new ArrayList<>();
                list.forEach(item -> copy.add(item instanceof Map<?, ?> m
                        ? unknownComputed(nested.block(), (Map<String, Object>) m) : item));
                planned.put(nested.name(), copy);
            }
        }
        return planned;
    }
}
