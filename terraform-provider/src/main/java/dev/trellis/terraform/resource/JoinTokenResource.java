package dev.trellis.terraform.resource;

import static dev.trellis.terraform.schema.Attribute.computed;
import static dev.trellis.terraform.schema.Attribute.optional;
import static dev.trellis.terraform.schema.Attribute.required;

import dev.trellis.terraform.api.ApiProblem;
import dev.trellis.terraform.api.TrellisApi;
import dev.trellis.terraform.schema.Block;
import dev.trellis.terraform.schema.DocumentMapping;
import dev.trellis.terraform.value.TfType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * {@code trellis_join_token}: a short-lived token that lets one workload's proxy register
 * ({@code POST /v1/meshes/{mesh}/join-tokens}). Tokens are minted, not stored objects: the API
 * cannot show one again, so the state keeps it and any change mints a new one.
 */
final class JoinTokenResource implements ManagedResource {

    private static final Block SCHEMA = Block.of("A join token for one workload's proxy, e.g. to pass as "
            + "`TRELLIS_JOIN_TOKEN` to an ECS task. Changing anything mints a new token.", List.of(
            computed("id", TfType.STRING, "The token's id when the API gives one, else `<mesh>/<service>/<version>`."),
            required("mesh", TfType.STRING, "The mesh.").localOnly(),
            required("service", TfType.STRING, "The service the proxy will serve."),
            optional("version", TfType.STRING, "The version of the service."),
            optional("ttl", TfType.STRING, "How long the token may be used, e.g. `10m`."),
            computed("token", TfType.STRING, "The token.").secret(),
            computed("expires_at", TfType.STRING, "When the token stops being accepted.")));

    @Override
    public String typeName() {
        return "trellis_join_token";
    }

    @Override
    public Block schema() {
        return SCHEMA;
    }

    @Override
    public Set<String> replaceOn() {
        return Set.of("mesh", "service", "version", "ttl");
    }

    @Override
    public Set<String> changeOnWrite() {
        return Set.of();
    }

    /**
     * A minted token cannot be read back; it stays while its mesh exists and it has not expired.
     * An expired token is gone, so the next plan mints a new one.
     */
    @Override
    public Map<String, Object> read(TrellisApi api, Map<String, Object> state) {
        if (state.get("expires_at") instanceof String expiry && Instant.parse(expiry).isBefore(Instant.now())) {
            return null;
        }
        return api.get("/v1/meshes/" + state.get("mesh")).isPresent() ? state : null;
    }

    @Override
    public Map<String, Object> write(TrellisApi api, Map<String, Object> prior, Map<String, Object> planned) {
        try {
            JsonNode minted = api.post("/v1/meshes/" + planned.get("mesh") + "/join-tokens",
                    DocumentMapping.toDocument(SCHEMA, planned));
            Map<String, Object> state = DocumentMapping.fromDocument(SCHEMA, minted, planned);
            state.put("mesh", planned.get("mesh"));
            // the answer may hold only the token: keep what was asked for
            for (String asked : List.of("service", "version", "ttl")) {
                state.put(asked, planned.get(asked));
            }
            if (state.get("id") == null) {
                state.put("id", planned.get("mesh") + "/" + planned.get("service") + "/" + planned.get("version"));
            }
            return state;
        } catch (ApiProblem problem) {
            throw new ProviderFailure(new Diagnostics().problem(problem, SCHEMA, null));
        }
    }

    /** Tokens expire by themselves; destroying one only forgets it. */
    @Override
    public void delete(TrellisApi api, Map<String, Object> prior) {
    }

    @Override
    public Map<String, Object> importState(String id) {
        throw new ProviderFailure("Join tokens cannot be imported",
                "The API shows a join token only in the answer that mints it. Declare a trellis_join_token and "
                        + "apply to mint a new one.");
    }
}
