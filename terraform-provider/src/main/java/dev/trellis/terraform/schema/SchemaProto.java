package dev.trellis.terraform.schema;

import com.google.protobuf.ByteString;
import dev.trellis.terraform.protocol.Schema;
import dev.trellis.terraform.protocol.StringKind;

/** Turns a {@link Block} into the protocol's Schema message. */
public final class SchemaProto {

    private SchemaProto() {
    }

    public static Schema of(Block block) {
        return Schema.newBuilder().setVersion(0).setBlock(block(block)).build();
    }

    private static Schema.Block block(Block block) {
        Schema.Block.Builder builder = Schema.Block.newBuilder()
                .setDescription(block.description())
                .setDescriptionKind(StringKind.MARKDOWN);
        for (Attribute a : block.attributes()) {
            builder.addAttributes(Schema.Attribute.newBuilder()
                    .setName(a.name())
                    .setType(ByteString.copyFromUtf8(a.type().json()))
                    .setDescription(a.description())
                    .setDescriptionKind(StringKind.MARKDOWN)
                    .setRequired(a.mode() == Attribute.Mode.REQUIRED)
                    .setOptional(a.mode() == Attribute.Mode.OPTIONAL || a.mode() == Attribute.Mode.OPTIONAL_COMPUTED)
                    .setComputed(a.computed())
                    .setSensitive(a.sensitive()));
        }
        for (NestedBlock nested : block.blocks()) {
            builder.addBlockTypes(Schema.NestedBlock.newBuilder()
                    .setTypeName(nested.name())
                    .setBlock(block(nested.block()))
                    .setNesting(Schema.NestedBlock.NestingMode.LIST)
                    .setMinItems(nested.minItems())
                    .setMaxItems(nested.maxItems()));
        }
        return builder.build();
    }
}
