package dev.trellis.terraform.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates the API's JSON path of a violation ({@code rules[0].backends[1].weight}) into the
 * Terraform attribute path of the same value ({@code rule[0].backend[1].weight}), so the
 * diagnostic points at the line at fault.
 */
public final class ViolationPaths {

    private static final Pattern STEP = Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]");

    private ViolationPaths() {
    }

    /** Steps: a String is an attribute name, an Integer a list index; empty when nothing matches. */
    public static List<Object> toTerraform(Block block, String jsonPath) {
        List<Object> json = new ArrayList<>();
        Matcher m = STEP.matcher(jsonPath == null ? "" : jsonPath);
        while (m.find()) {
            json.add(m.group(1) != null ? m.group(1) : Integer.valueOf(m.group(2)));
        }
        List<Object> terraform = new ArrayList<>();
        walk(block, json, 0, terraform);
        return terraform;
    }

    private static void walk(Block block, List<Object> json, int at, List<Object> out) {
        for (Attribute a : block.attributes()) {
            int matched = a.jsonPath() == null ? 0 : prefix(a.jsonPath(), json, at);
            if (matched > 0) {
                out.add(a.name());
                return;
            }
        }
        for (NestedBlock nested : block.blocks()) {
            int matched = prefix(nested.jsonPath(), json, at);
            if (matched == 0) {
                continue;
            }
            out.add(nested.name());
            int next = at + matched;
            if (nested.singleObject()) {
                out.add(0);
            } else if (next < json.size() && json.get(next) instanceof Integer index) {
                out.add(index);
                next++;
            } else {
                return;
            }
            walk(nested.block(), json, next, out);
            return;
        }
    }

    private static int prefix(String path, List<Object> json, int at) {
        String[] steps = path.split("\\.");
        for (int i = 0; i < steps.length; i++) {
            if (at + i >= json.size() || !steps[i].equals(json.get(at + i))) {
                return 0;
            }
        }
        return steps.length;
    }
}
