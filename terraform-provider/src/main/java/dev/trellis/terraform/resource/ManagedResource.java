package dev.trellis.terraform.resource;

import dev.trellis.terraform.api.TrellisApi;
import dev.trellis.terraform.schema.Block;
import java.util.Map;
import java.util.Set;

/**
 * One Terraform resource type backed by the Trellis API. Values are Terraform objects of
 * {@link #schema()}'s type; failures are thrown as {@link ProviderFailure}.
 */
public interface ManagedResource {

    String typeName();

    Block schema();

    /** Attributes whose change needs a new object (the API has no rename). */
    Set<String> replaceOn();

    /** Computed attributes that change whenever the object is written. */
    Set<String> changeOnWrite();

    /** The object as the API holds it now, or null when it is gone. */
    Map<String, Object> read(TrellisApi api, Map<String, Object> state);

    /** Creates ({@code prior} null) or updates; answers the new state. */
    Map<String, Object> write(TrellisApi api, Map<String, Object> prior, Map<String, Object> planned);

    void delete(TrellisApi api, Map<String, Object> prior);

    /** The state that identifies the object named by an import id; Terraform reads the rest. */
    Map<String, Object> importState(String id);

    /** Checks a planned write with the API without storing it (dry run). */
    default Diagnostics dryRun(TrellisApi api, Map<String, Object> prior, Map<String, Object> planned) {
        return new Diagnostics();
    }
}
