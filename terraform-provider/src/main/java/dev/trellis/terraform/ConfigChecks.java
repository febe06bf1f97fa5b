package dev.trellis.terraform;

import dev.trellis.terraform.resource.Diagnostics;
import dev.trellis.terraform.schema.Attribute;
import dev.trellis.terraform.schema.Block;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.ObjectMapper;

/** Checks Terraform can make without the API (ValidateResourceConfig): JSON attributes must parse. */
final class ConfigChecks {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigChecks() {
    }

    static Diagnostics check(Block schema, Map<String, Object> config) {
        Diagnostics diagnostics = new Diagnostics();
        if (config == null) {
            return diagnostics;
        }
        for (Attribute a : schema.attributes()) {
            if (a.embeddedJson() && config.get(a.name()) instanceof String text) {
                try {
                    if (!JSON.readTree(text).isObject()) {
                        diagnostics.error("`" + a.name() + "` must be a JSON object", "Got: " + text, List.of(a.name()));
                    }
                } catch (RuntimeException e) {
                    diagnostics.error("`" + a.name() + "` is not valid JSON", String.valueOf(e.getMessage()),
                            List.of(a.name()));
                }
            }
        }
        return diagnostics;
    }
}
