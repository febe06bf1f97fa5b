package dev.trellis.terraform.schema;

import dev.trellis.terraform.value.TfType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A schema block: attributes plus nested blocks. Its value is an object of {@link #type()}. */
public record Block(String description, List<Attribute> attributes, List<NestedBlock> blocks) {

    public Block {
        attributes = List.copyOf(attributes);
        blocks = List.copyOf(blocks);
    }

    public static Block of(String description, List<Attribute> attributes) {
        return new Block(description, attributes, List.of());
    }

    public Block with(NestedBlock... nested) {
        return new Block(description, attributes, List.of(nested));
    }

    public TfType.ObjectType type() {
        Map<String, TfType> types = new LinkedHashMap<>();
        attributes.forEach(a -> types.put(a.name(), a.type()));
        blocks.forEach(b -> types.put(b.name(), TfType.listOf(b.block().type())));
        return new TfType.ObjectType(types);
    }

    public Optional<Attribute> attribute(String name) {
        return attributes.stream().filter(a -> a.name().equals(name)).findFirst();
    }
}
