package dev.trellis.terraform.schema;

/**
 * A repeatable nested block ({@code rule { … }}), held as a list; {@code maxItems} 1 makes it a
 * single optional block.
 *
 * @param jsonPath the API field holding the array (or, for {@code maxItems} 1, the object)
 */
public record NestedBlock(String name, Block block, int minItems, int maxItems, String jsonPath) {

    public static NestedBlock list(String name, String jsonPath, Block block) {
        return new NestedBlock(name, block, 0, 0, jsonPath);
    }

    public static NestedBlock single(String name, String jsonPath, Block block) {
        return new NestedBlock(name, block, 0, 1, jsonPath);
    }

    public NestedBlock atLeast(int items) {
        return new NestedBlock(name, block, items, maxItems, jsonPath);
    }

    public boolean singleObject() {
        return maxItems == 1;
    }
}
