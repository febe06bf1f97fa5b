package dev.trellis.controlplane.mesh;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trellis.compiler.SnapshotChange;
import dev.trellis.compiler.Warning;
import dev.trellis.controlplane.web.ApiViolation;
import tools.jackson.databind.JsonNode;

import java.util.List;

/**
 * The answer to a write with {@code ?dryRun=true}: nothing was stored.
 *
 * @param valid      whether the write would be accepted
 * @param violations every reason it would not be (document and whole-mesh errors)
 * @param warnings   the analysis of the mesh as it would be
 * @param changes    every proxy snapshot that would change
 * @param resource   the resource as it would be stored (null for a delete or an invalid write)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DryRun(boolean valid, List<ApiViolation> violations, List<Warning> warnings,
                     List<SnapshotChange> changes, JsonNode resource) {

    static DryRun invalid(List<ApiViolation> violations) {
        return new DryRun(false, violations, List.of(), List.of(), null);
    }
}
