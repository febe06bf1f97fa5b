package dev.trellis.terraform.resource;

import dev.trellis.terraform.api.TrellisApi;
import dev.trellis.terraform.schema.Block;
import dev.trellis.terraform.value.TfType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.trellis.terraform.schema.Attribute.computed;
import static dev.trellis.terraform.schema.Attribute.optional;
import static dev.trellis.terraform.schema.Attribute.required;

/**
 * {@code trellis_ecs_task_definition}: the user's {@code container_definitions} with the Trellis
 * proxy, through {@code POST /v1/meshes/{mesh}/injection/ecs}, in the shape
 * {@code aws_ecs_task_definition} takes: {@code container_definitions} (JSON) and the parts of its
 * {@code proxy_configuration} block. It mints no token: the credential is the secret the ARN names.
 */
final class EcsTaskDefinitionDataSource implements DataSource {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Block SCHEMA = Block.of("Adds the Trellis proxy to an ECS task definition's containers: pass "
            + "`container_definitions` and the `proxy_*` attributes on to `aws_ecs_task_definition` (network mode `awsvpc`).", List.of(
            computed("id", TfType.STRING, "`<mesh>/<service>`."),
            required("mesh", TfType.STRING, "The mesh."),
            required("service", TfType.STRING, "The mesh service the tasks join as."),
            optional("version", TfType.STRING, "The service's version the tasks join as."),
            required("credential_secret_arn", TfType.STRING, "The Secrets Manager secret or SSM parameter ARN that holds "
                    + "the task token; the task definition references it, never the token."),
            required("app_container_definitions", TfType.STRING, "The task's own container definitions, as JSON "
                    + "(`jsonencode([...])`), as `aws_ecs_task_definition` takes them."),
            computed("container_definitions", TfType.STRING, "The container definitions with the proxy container and "
                    + "each container's `dependsOn` the proxy being `HEALTHY`, as JSON."),
            computed("proxy_type", TfType.STRING, "`proxy_configuration.type`: `APPMESH`."),
            computed("proxy_container_name", TfType.STRING, "`proxy_configuration.container_name`."),
            computed("proxy_properties", TfType.mapOf(TfType.STRING), "`proxy_configuration.properties`: IgnoredUID, "
                    + "ProxyIngressPort, ProxyEgressPort, AppPorts, EgressIgnoredIPs.")));

    @Override
    public String typeName() {
        return "trellis_ecs_task_definition";
    }

    @Override
    public Block schema() {
        return SCHEMA;
    }

    @Override
    public Map<String, Object> read(TrellisApi api, Map<String, Object> config) {
        JsonNode containers;
        try {
            containers = JSON.readTree((String) config.get("app_container_definitions"));
        } catch (RuntimeException e) {
            throw new ProviderFailure("Invalid app_container_definitions", "app_container_definitions must be a JSON list "
                    + "of container definitions (use jsonencode).");
        }
        ObjectNode request = JsonNodeFactory.instance.objectNode()
                .put("service", (String) config.get("service"))
                .put("credentialSecretArn", (String) config.get("credential_secret_arn"));
        if (config.get("version") != null) request.put("version", (String) config.get("version"));
        request.putObject("taskDefinition").put("family", (String) config.get("service")).put("networkMode", "awsvpc")
                .set("containerDefinitions", containers);
        JsonNode task = api.post("/v1/meshes/" + config.get("mesh") + "/injection/ecs", request).get("taskDefinition");
        Map<String, Object> properties = new LinkedHashMap<>();
        for (JsonNode property : task.path("proxyConfiguration").path("properties")) {
            properties.put(property.get("name").asString(), property.get("value").asString());
        }
        Map<String, Object> state = ResourceValues.empty(SCHEMA);
        state.putAll(config);
        state.put("id", config.get("mesh") + "/" + config.get("service"));
        state.put("container_definitions", JSON.writeValueAsString(task.get("containerDefinitions")));
        state.put("proxy_type", task.path("proxyConfiguration").path("type").asString());
        state.put("proxy_container_name", task.path("proxyConfiguration").path("containerName").asString());
        state.put("proxy_properties", properties);
        return state;
    }
}
