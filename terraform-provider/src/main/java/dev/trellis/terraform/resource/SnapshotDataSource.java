package dev.trellis.terraform.resource;

import static dev.trellis.terraform.schema.Attribute.computed;
import static dev.trellis.terraform.schema.Attribute.required;

import dev.trellis.terraform.api.TrellisApi;
import dev.trellis.terraform.schema.Block;
import dev.trellis.terraform.value.TfType;
import java.util.List;
import java.util.Map;

/**
 * {@code trellis_snapshot}: the compiled snapshot a service's proxies receive, byte for byte, so
 * it can be written to a file and given to a proxy as {@code TRELLIS_SNAPSHOT_FILE}.
 */
final class SnapshotDataSource implements DataSource {

    private static final Block SCHEMA = Block.of("The compiled proxy snapshot of one service, exactly as its proxies "
            + "receive it.", List.of(
            computed("id", TfType.STRING, "`<mesh>/<service>`."),
            required("mesh", TfType.STRING, "The mesh."),
            required("service", TfType.STRING, "The service."),
            computed("version", TfType.STRING, "The snapshot's version (a hash of its content)."),
            computed("content", TfType.STRING, "The snapshot's JSON, byte for byte.")));

    @Override
    public String typeName() {
        return "trellis_snapshot";
    }

    @Override
    public Block schema() {
        return SCHEMA;
    }

    @Override
    public Map<String, Object> read(TrellisApi api, Map<String, Object> config) {
        String path = "/v1/meshes/" + config.get("mesh") + "/snapshots/" + config.get("service");
        TrellisApi.RawBody body = api.getRaw(path).orElseThrow(() -> new ProviderFailure("Snapshot not found",
                "Trellis has compiled no snapshot for service " + config.get("service") + " in mesh " + config.get("mesh") + "."));
        Map<String, Object> state = ResourceValues.empty(SCHEMA);
        state.putAll(config);
        state.put("id", config.get("mesh") + "/" + config.get("service"));
        state.put("version", body.etag() == null ? null : body.etag().replace("\"", ""));
        state.put("content", body.text());
        return state;
    }
}
