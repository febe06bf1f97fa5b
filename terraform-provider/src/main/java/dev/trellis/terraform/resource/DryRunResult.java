package dev.trellis.terraform.resource;

import dev.trellis.terraform.schema.Block;
import dev.trellis.terraform.schema.ViolationPaths;
import tools.jackson.databind.JsonNode;

/** Reads the answer of a {@code ?dryRun=true} write: its violations and analysis warnings. */
final class DryRunResult {

    private DryRunResult() {
    }

    static void report(JsonNode result, Block schema, Diagnostics diagnostics) {
        for (JsonNode v : result.path("violations")) {
            String field = v.path("field").asString("");
            String message = v.path("message").asString(v.asString(""));
            diagnostics.error(message, "The Trellis API dry run rejected `" + field + "`: " + message,
                    ViolationPaths.toTerraform(schema, field));
        }
        for (JsonNode w : result.path("warnings")) {
            String field = w.path("field").asString("");
            String message = w.isString() ? w.asString() : w.path("message").asString(w.toString());
            diagnostics.warning(message, "Trellis analysis warning" + (field.isEmpty() ? "" : " on `" + field + "`")
                    + ": " + message, ViolationPaths.toTerraform(schema, field));
        }
    }
}
