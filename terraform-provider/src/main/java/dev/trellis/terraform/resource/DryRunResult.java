package dev.trellis.terraform.resource;

import dev.trellis.terraform.api.Violation;
import dev.trellis.terraform.protocol.Diagnostic;
import dev.trellis.terraform.schema.Block;
import dev.trellis.terraform.schema.ViolationPaths;
import tools.jackson.databind.JsonNode;

/** Reads the answer of a {@code ?dryRun=true} write: its violations and analysis warnings. */
final class DryRunResult {

    private DryRunResult() {
    }

    /**
     * Problems of the document itself are errors. Findings of the whole-mesh compilation (they
     * name a resource) are warnings at plan time: other resources of the same plan may not exist
     * yet, and apply rejects the write if the problem is still there.
     */
    static void report(JsonNode result, Block schema, String self, Diagnostics diagnostics) {
        for (JsonNode node : result.path("violations")) {
            Violation v = Violation.of(node);
            boolean meshWide = v.resource() != null && !v.resource().isEmpty();
            diagnostics.violation(v, meshWide ? Diagnostic.Severity.WARNING : Diagnostic.Severity.ERROR, schema, self,
                    meshWide ? "Checked against the mesh as it is now (other changes of this plan are not applied yet), "
                            + "the Trellis API would reject " : "The Trellis API dry run rejected ");
        }
        for (JsonNode w : result.path("warnings")) {
            String field = w.path("field").asString("");
            String message = w.isString() ? w.asString() : w.path("message").asString(w.toString());
            diagnostics.warning(message, "Trellis analysis warning" + (field.isEmpty() ? "" : " on `" + field + "`")
                    + ": " + message, ViolationPaths.toTerraform(schema, field));
        }
    }
}
