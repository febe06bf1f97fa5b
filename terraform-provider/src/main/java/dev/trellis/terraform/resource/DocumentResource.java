package dev.trellis.terraform.resource;

import dev.trellis.terraform.api.ApiProblem;
import dev.trellis.terraform.api.TrellisApi;
import dev.trellis.terraform.schema.Attribute;
import dev.trellis.terraform.schema.Block;
import dev.trellis.terraform.schema.DocumentMapping;
import dev.trellis.terraform.schema.NestedBlock;
import dev.trellis.terraform.value.TfType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A declarative mesh resource ({@code PUT /v1/meshes/{mesh}[/{collection}/{name}]}): the mesh
 * itself, or a service, route or policy inside one. Writes carry {@code If-Match} with the
 * resourceVersion Terraform last saw, so a change made meanwhile is reported, never overwritten.
 */
final class DocumentResource implements ManagedResource {

    private final String typeName;
    private final String collection;
    private final Block schema;

    /** @param collection the path segment under a mesh ({@code services}), or null for the mesh itself */
    DocumentResource(String typeName, String description, String collection, List<Attribute> fields,
                     NestedBlock... blocks) {
        this.typeName = typeName;
        this.collection = collection;
        List<Attribute> attributes = new ArrayList<>();
        attributes.add(Attribute.computed("id", TfType.STRING, collection == null
                ? "The mesh name." : "`<mesh>/<name>`, also the import id.").localOnly());
        if (collection != null) {
            attributes.add(Attribute.required("mesh", TfType.STRING, "The mesh it belongs to. Changing it replaces the object.").localOnly());
        }
        attributes.add(Attribute.required("name", TfType.STRING, "Unique name within "
                + (collection == null ? "the tenant" : "the mesh") + ". Changing it replaces the object.").localOnly());
        attributes.addAll(fields);
        attributes.add(Attribute.computed("resource_version", TfType.STRING, "The version the API stored; sent as `If-Match` on every write."));
        attributes.add(Attribute.computed("created_at", TfType.STRING, "When the object was created."));
        attributes.add(Attribute.computed("updated_at", TfType.STRING, "When the object was last written."));
        this.schema = new Block(description, attributes, List.of(blocks));
    }

    @Override
    public String typeName() {
        return typeName;
    }

    @Override
    public Block schema() {
        return schema;
    }

    @Override
    public Set<String> replaceOn() {
        return collection == null ? Set.of("name") : Set.of("mesh", "name");
    }

    @Override
    public Set<String> changeOnWrite() {
        return Set.of("resource_version", "updated_at");
    }

    @Override
    public Map<String, Object> read(TrellisApi api, Map<String, Object> state) {
        return api.get(path(state)).map(document -> state(document, state, state)).orElse(null);
    }

    @Override
    public Map<String, Object> write(TrellisApi api, Map<String, Object> prior, Map<String, Object> planned) {
        String ifMatch = prior == null ? null : (String) prior.get("resource_version");
        try {
            JsonNode stored = api.put(path(planned), DocumentMapping.toDocument(schema, planned), ifMatch, false);
            return state(stored, planned, planned);
        } catch (ApiProblem problem) {
            throw failure(problem, planned, ifMatch);
        }
    }

    @Override
    public void delete(TrellisApi api, Map<String, Object> prior) {
        try {
            api.delete(path(prior), (String) prior.get("resource_version"));
        } catch (ApiProblem problem) {
            throw failure(problem, prior, (String) prior.get("resource_version"));
        }
    }

    @Override
    public Map<String, Object> importState(String id) {
        String[] parts = id.split("/", -1);
        int expected = collection == null ? 1 : 2;
        if (parts.length != expected || List.of(parts).stream().anyMatch(String::isBlank)) {
            throw new ProviderFailure("Invalid import id `" + id + "`",
                    "Import a " + typeName + " by " + (collection == null ? "`<name>`" : "`<mesh>/<name>`") + ".");
        }
        Map<String, Object> state = ResourceValues.empty(schema);
        if (collection != null) {
            state.put("mesh", parts[0]);
        }
        state.put("name", parts[parts.length - 1]);
        state.put("id", id);
        return state;
    }

    @Override
    public Diagnostics dryRun(TrellisApi api, Map<String, Object> prior, Map<String, Object> planned) {
        Diagnostics diagnostics = new Diagnostics();
        try {
            String ifMatch = prior == null ? null : (String) prior.get("resource_version");
            JsonNode result = api.put(path(planned), DocumentMapping.toDocument(schema, planned), ifMatch, true);
            DryRunResult.report(result, schema, self(planned), diagnostics);
        } catch (ApiProblem problem) {
            // 404: the mesh is created in the same run; apply reports anything else again
            if (problem.status() == 400 || problem.status() == 422) {
                diagnostics.problem(problem, schema, self(planned));
            } else if (problem.exists() && prior == null) {
                // Only a warning here: a replacement plans its create while the old object still exists.
                ProviderFailure exists = alreadyExists(planned);
                exists.diagnostics().list().forEach(d -> diagnostics.warning(d.getSummary(),
                        d.getDetail() + " Unless it is imported or deleted first, apply will fail.", List.of()));
            }
        }
        return diagnostics;
    }

    private ProviderFailure failure(ApiProblem problem, Map<String, Object> value, String expectedVersion) {
        if (problem.exists()) {
            return alreadyExists(value);
        }
        if (problem.stale()) {
            return new ProviderFailure(typeName + " " + id(value) + " was changed outside Terraform",
                    "Its resourceVersion is no longer " + expectedVersion + ": somebody changed it since "
                            + "Terraform last read it, and Terraform will not overwrite that change. Run `terraform plan` "
                            + "to see the change and apply again.");
        }
        return new ProviderFailure(new Diagnostics().problem(problem, schema, self(value)));
    }

    /** Terraform creates only what it will own: an object made some other way must be imported, never overwritten. */
    private ProviderFailure alreadyExists(Map<String, Object> value) {
        return new ProviderFailure(typeName + " " + id(value) + " already exists",
                "Terraform did not create it, so it will not overwrite it (the API refused the create: If-None-Match). "
                        + "To manage it with Terraform, import it: `terraform import <address of this " + typeName
                        + "> " + id(value) + "`.");
    }

    private Map<String, Object> state(JsonNode document, Map<String, Object> identity, Map<String, Object> prior) {
        Map<String, Object> state = DocumentMapping.fromDocument(schema, document, prior);
        if (collection != null) {
            state.put("mesh", identity.get("mesh"));
        }
        state.put("name", identity.get("name"));
        state.put("id", id(identity));
        return state;
    }

    private String id(Map<String, Object> value) {
        return collection == null ? (String) value.get("name") : value.get("mesh") + "/" + value.get("name");
    }

    /** How the API names this object in violations: {@code services/echo}, {@code meshes/shop}. */
    private String self(Map<String, Object> value) {
        return (collection == null ? "meshes" : collection) + "/" + value.get("name");
    }

    private String path(Map<String, Object> value) {
        String mesh = "/v1/meshes/" + (collection == null ? value.get("name") : value.get("mesh"));
        return collection == null ? mesh : mesh + "/" + collection + "/" + value.get("name");
    }
}
