package dev.trellis.terraform.resource;

import dev.trellis.terraform.api.TrellisApi;
import dev.trellis.terraform.schema.Attribute;
import dev.trellis.terraform.schema.Block;
import dev.trellis.terraform.schema.DocumentMapping;
import dev.trellis.terraform.value.TfType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.ObjectMapper;

/**
 * A data source that reads one mesh document (a mesh, a service): the identifying attributes
 * are configured, the resource's other attributes are read, and {@code document} holds the whole
 * JSON document for what has no attribute of its own (use {@code jsondecode}).
 */
final class DocumentDataSource implements DataSource {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String typeName;
    private final String collection;
    private final Block schema;

    DocumentDataSource(String typeName, String collection, Block resourceSchema) {
        this.typeName = typeName;
        this.collection = collection;
        List<Attribute> attributes = new ArrayList<>();
        for (Attribute a : resourceSchema.attributes()) {
            boolean identity = a.name().equals("name") || a.name().equals("mesh");
            attributes.add(identity ? a : new Attribute(a.name(), a.type(), Attribute.Mode.COMPUTED, a.sensitive(),
                    a.description(), a.jsonPath(), a.embeddedJson()));
        }
        attributes.add(Attribute.computed("document", TfType.STRING, "The whole document as JSON.").localOnly());
        this.schema = Block.of("Reads " + typeName.substring("trellis_".length()) + " as the API holds it. "
                + resourceSchema.description(), attributes);
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
    public Map<String, Object> read(TrellisApi api, Map<String, Object> config) {
        String path = collection == null ? "/v1/meshes/" + config.get("name")
                : "/v1/meshes/" + config.get("mesh") + "/" + collection + "/" + config.get("name");
        var document = api.get(path).orElseThrow(() -> new ProviderFailure(
                typeName.substring("trellis_".length()) + " not found", "The Trellis API has nothing at " + path + "."));
        Map<String, Object> state = DocumentMapping.fromDocument(schema, document, null);
        state.put("name", config.get("name"));
        if (collection != null) {
            state.put("mesh", config.get("mesh"));
            state.put("id", config.get("mesh") + "/" + config.get("name"));
        } else {
            state.put("id", config.get("name"));
        }
        state.put("document", JSON.writeValueAsString(document));
        return state;
    }
}
