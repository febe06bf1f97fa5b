package dev.trellis.terraform.resource;

import static dev.trellis.terraform.schema.Attribute.computed;
import static dev.trellis.terraform.schema.Attribute.required;

import dev.trellis.terraform.api.ApiProblem;
import dev.trellis.terraform.api.TrellisApi;
import dev.trellis.terraform.schema.Block;
import dev.trellis.terraform.schema.DocumentMapping;
import dev.trellis.terraform.value.TfType;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * {@code trellis_api_key}: a machine credential of the tenant. The API shows the key once, in the
 * answer that creates it, so the state keeps it from then on; any change makes a new key.
 */
final class ApiKeyResource implements ManagedResource {

    private static final Block SCHEMA = Block.of("An API key of the tenant, e.g. for CI. The key is shown once, at creation, "
            + "and kept in the Terraform state as a sensitive value; changing anything creates a new key.", List.of(
            computed("id", TfType.STRING, "The key's id, also the import id."),
            required("name", TfType.STRING, "What the key is for."),
            required("role", TfType.STRING, "`owner`, `admin`, `editor` or `viewer`."),
            computed("key", TfType.STRING, "The secret key. Known only to the Terraform run that created it; "
                    + "null after an import.").json("apiKey").secret(),
            computed("created_by", TfType.STRING, "Who created it."),
            computed("created_at", TfType.STRING, "When it was created.")));

    @Override
    public String typeName() {
        return "trellis_api_key";
    }

    @Override
    public Block schema() {
        return SCHEMA;
    }

    @Override
    public Set<String> replaceOn() {
        return Set.of("name", "role");
    }

    @Override
    public Set<String> changeOnWrite() {
        return Set.of();
    }

    @Override
    public Map<String, Object> read(TrellisApi api, Map<String, Object> state) {
        return api.get("/v1/api-keys/" + state.get("id"))
                .filter(stored -> stored.path("revokedAt").isMissingNode() || stored.path("revokedAt").isNull())
                .map(stored -> {
                    Map<String, Object> now = DocumentMapping.fromDocument(SCHEMA, stored, state);
                    now.put("key", state.get("key"));
                    return now;
                })
                .orElse(null);
    }

    @Override
    public Map<String, Object> write(TrellisApi api, Map<String, Object> prior, Map<String, Object> planned) {
        try {
            JsonNode created = api.post("/v1/api-keys", DocumentMapping.toDocument(SCHEMA, planned));
            return DocumentMapping.fromDocument(SCHEMA, created, planned);
        } catch (ApiProblem problem) {
            throw new ProviderFailure(new Diagnostics().problem(problem, SCHEMA, null));
        }
    }

    @Override
    public void delete(TrellisApi api, Map<String, Object> prior) {
        api.delete("/v1/api-keys/" + prior.get("id"), null);
    }

    @Override
    public Map<String, Object> importState(String id) {
        Map<String, Object> state = ResourceValues.empty(SCHEMA);
        state.put("id", id);
        return state;
    }
}
