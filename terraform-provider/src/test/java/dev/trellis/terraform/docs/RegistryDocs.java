package dev.trellis.terraform.docs;

import dev.trellis.terraform.schema.Attribute;
import dev.trellis.terraform.schema.Block;
import dev.trellis.terraform.schema.NestedBlock;
import dev.trellis.terraform.value.TfType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/**
 * Renders one registry-layout page ({@code docs/resources/<name>.md}) from a schema, with the
 * example and import snippets kept under {@code examples/}, so the pages cannot drift from the
 * provider's real schema.
 */
final class RegistryDocs {

    private RegistryDocs() {
    }

    static String page(String typeName, String kind, Block schema, Path example, Path importScript) throws IOException {
        StringBuilder md = new StringBuilder();
        String summary = schema.description().replace("\n", " ");
        md.append("---\npage_title: \"").append(typeName).append(' ').append(kind).append(" - trellis\"\n")
                .append("description: |-\n  ").append(summary).append("\n---\n\n")
                .append("# ").append(typeName).append(" (").append(kind).append(")\n\n")
                .append(schema.description()).append("\n\n");
        if (Files.exists(example)) {
            md.append("## Example Usage\n\n```terraform\n").append(Files.readString(example).strip()).append("\n```\n\n");
        }
        md.append("## Schema\n");
        section(md, schema, "");
        if (importScript != null && Files.exists(importScript)) {
            md.append("\n## Import\n\nImport is supported using the following syntax:\n\n```shell\n")
                    .append(Files.readString(importScript).strip()).append("\n```\n");
        }
        return md.toString();
    }

    private static void section(StringBuilder md, Block block, String anchor) {
        group(md, "Required", block, a -> a.mode() == Attribute.Mode.REQUIRED, b -> b.minItems() > 0, anchor);
        group(md, "Optional", block, a -> a.mode() == Attribute.Mode.OPTIONAL || a.mode() == Attribute.Mode.OPTIONAL_COMPUTED,
                b -> b.minItems() == 0, anchor);
        group(md, "Read-Only", block, a -> a.mode() == Attribute.Mode.COMPUTED, b -> false, anchor);
        for (NestedBlock nested : block.blocks()) {
            String id = anchor + "--" + nested.name();
            md.append("\n<a id=\"nestedblock").append(id).append("\"></a>\n### Nested Schema for `")
                    .append(id.substring(2).replace("--", ".")).append("`\n");
            md.append("\n").append(nested.block().description()).append("\n");
            section(md, nested.block(), id);
        }
    }

    private static void group(StringBuilder md, String title, Block block, Predicate<Attribute> attributes,
                              Predicate<NestedBlock> blocks, String anchor) {
        List<Attribute> shown = block.attributes().stream().filter(attributes).toList();
        List<NestedBlock> nested = block.blocks().stream().filter(blocks).toList();
        if (shown.isEmpty() && nested.isEmpty()) {
            return;
        }
        md.append(anchor.isEmpty() ? "\n### " + title + "\n\n" : "\n" + title + ":\n\n");
        for (Attribute a : shown) {
            md.append("- `").append(a.name()).append("` (").append(type(a.type()))
                    .append(a.sensitive() ? ", Sensitive" : "").append(") ").append(a.description()).append('\n');
        }
        for (NestedBlock b : nested) {
            md.append("- `").append(b.name()).append("` (Block List")
                    .append(b.minItems() > 0 ? ", Min: " + b.minItems() : "")
                    .append(b.maxItems() > 0 ? ", Max: " + b.maxItems() : "")
                    .append(") ").append(b.block().description())
                    .append(" (see [below for nested schema](#nestedblock").append(anchor).append("--").append(b.name())
                    .append("))\n");
        }
    }

    private static String type(TfType type) {
        return switch (type) {
            case TfType.Primitive p -> p.name().equals("bool") ? "Boolean"
                    : Character.toUpperCase(p.name().charAt(0)) + p.name().substring(1);
            case TfType.Collection c -> Character.toUpperCase(c.kind().charAt(0)) + c.kind().substring(1) + " of "
                    + type(c.element());
            case TfType.ObjectType o -> "Object";
        };
    }
}
