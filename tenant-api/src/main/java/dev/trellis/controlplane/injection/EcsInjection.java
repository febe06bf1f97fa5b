package dev.trellis.controlplane.injection;

import dev.trellis.controlplane.web.ApiViolation;
import dev.trellis.controlplane.web.InvalidRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A task definition (as RegisterTaskDefinition takes it) with the proxy added, as a pure function:
 * the proxy container (running as the UID the redirect ignores, healthy when its admin port says
 * ready), an {@code APPMESH} proxyConfiguration (the ECS agent's CNI plugin writes the redirect, so
 * no container needs {@code NET_ADMIN}, which Fargate does not grant), each app container
 * {@code dependsOn} the proxy being {@code HEALTHY}, and the bootstrap credential as a
 * {@code secrets} reference. What an earlier injection added is replaced, so re-injecting changes nothing.
 */
final class EcsInjection {
    static final String EGRESS_IGNORED_IPS = "169.254.170.2,169.254.169.254";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private EcsInjection() {
    }

    /** What the proxy is told; {@code version} may be null. */
    record Plan(String mesh, String service, String version, int appPort, String credentialSecretArn, String controlPlane,
                InjectionSettings settings) {
    }

    /** @throws InvalidRequest listing every problem of the task definition */
    static ObjectNode inject(JsonNode taskDefinition, Plan plan) {
        List<ApiViolation> violations = new ArrayList<>();
        if (!taskDefinition.isObject()) throw InvalidRequest.of("taskDefinition", "must be an object");
        ObjectNode task = ((ObjectNode) taskDefinition).deepCopy();
        JsonNode containers = task.get("containerDefinitions");
        if (containers == null || !containers.isArray() || containers.isEmpty()) {
            violations.add(ApiViolation.at("taskDefinition.containerDefinitions", "must list the task's containers"));
        }
        String networkMode = task.path("networkMode").asString("awsvpc");
        if (!networkMode.equals("awsvpc")) {
            violations.add(ApiViolation.at("taskDefinition.networkMode", "must be awsvpc: ECS redirects traffic to a proxy only there"));
        }
        JsonNode existing = task.get("proxyConfiguration");
        if (existing != null && !existing.isNull()
                && !PodInjection.PROXY_CONTAINER.equals(existing.path("containerName").asString(""))) {
            violations.add(ApiViolation.at("taskDefinition.proxyConfiguration", "already names another proxy ("
                    + existing.path("containerName").asString("") + "); remove it first"));
        }
        if (!violations.isEmpty()) throw new InvalidRequest(violations);

        ArrayNode apps = NODES.arrayNode();
        for (int i = 0; i < containers.size(); i++) {
            JsonNode container = containers.get(i);
            if (!container.isObject() || container.path("name").asString("").isEmpty()) {
                violations.add(ApiViolation.at("taskDefinition.containerDefinitions[" + i + "].name", "is required"));
                continue;
            }
            if (container.path("name").asString().equals(PodInjection.PROXY_CONTAINER)) continue;
            apps.add(dependsOnProxy((ObjectNode) container.deepCopy()));
        }
        if (!violations.isEmpty()) throw new InvalidRequest(violations);
        ArrayNode all = NODES.arrayNode().add(proxyContainer(plan));
        all.addAll(apps);
        task.set("containerDefinitions", all);
        task.put("networkMode", "awsvpc");
        task.set("proxyConfiguration", proxyConfiguration(plan));
        return task;
    }

    private static ObjectNode dependsOnProxy(ObjectNode container) {
        ArrayNode dependsOn = NODES.arrayNode();
        for (JsonNode dependency : container.path("dependsOn")) {
            if (!PodInjection.PROXY_CONTAINER.equals(dependency.path("containerName").asString(""))) dependsOn.add(dependency);
        }
        dependsOn.addObject().put("containerName", PodInjection.PROXY_CONTAINER).put("condition", "HEALTHY");
        container.set("dependsOn", dependsOn);
        return container;
    }

    private static ObjectNode proxyContainer(Plan plan) {
        ObjectNode proxy = NODES.objectNode()
                .put("name", PodInjection.PROXY_CONTAINER)
                .put("image", plan.settings().proxyImage())
                .put("essential", true)
                .put("user", Integer.toString(plan.settings().proxyUid()));
        proxy.putArray("command").add("proxy");
        ArrayNode environment = proxy.putArray("environment");
        env(environment, "TRELLIS_CONTROL_PLANE", plan.controlPlane());
        env(environment, "TRELLIS_MESH", plan.mesh());
        env(environment, "TRELLIS_SERVICE", plan.service());
        if (plan.version() != null) env(environment, "TRELLIS_VERSION", plan.version());
        env(environment, "TRELLIS_APP_PORT", Integer.toString(plan.appPort()));
        env(environment, "TRELLIS_INBOUND_PORT", Integer.toString(ProxyPorts.INBOUND));
        env(environment, "TRELLIS_OUTBOUND_PORT", Integer.toString(ProxyPorts.OUTBOUND));
        env(environment, "TRELLIS_ADMIN_PORT", Integer.toString(ProxyPorts.ADMIN));
        env(environment, "TRELLIS_DATA_DIR", ProxyPorts.DATA_DIR);
        proxy.putArray("secrets").addObject().put("name", "TRELLIS_JOIN_TOKEN").put("valueFrom", plan.credentialSecretArn());
        proxy.putArray("portMappings").addObject().put("containerPort", ProxyPorts.INBOUND).put("protocol", "tcp");
        ObjectNode health = proxy.putObject("healthCheck");
        health.putArray("command").add("CMD").add("/trellis/entrypoint").add("health");
        health.put("interval", 5).put("timeout", 2).put("retries", 3).put("startPeriod", 10);
        proxy.put("memory", mebibytes(plan.settings().proxyMemory()));
        proxy.putArray("mountPoints");
        proxy.putArray("volumesFrom");
        return proxy;
    }

    private static ObjectNode proxyConfiguration(Plan plan) {
        ObjectNode configuration = NODES.objectNode().put("type", "APPMESH").put("containerName", PodInjection.PROXY_CONTAINER);
        ArrayNode properties = configuration.putArray("properties");
        property(properties, "IgnoredUID", Integer.toString(plan.settings().proxyUid()));
        property(properties, "ProxyIngressPort", Integer.toString(ProxyPorts.INBOUND));
        property(properties, "ProxyEgressPort", Integer.toString(ProxyPorts.OUTBOUND));
        property(properties, "AppPorts", Integer.toString(plan.appPort()));
        property(properties, "EgressIgnoredIPs", EGRESS_IGNORED_IPS);
        return configuration;
    }

    /** A Kubernetes quantity such as {@code 160Mi} as the MiB ECS counts in. */
    static int mebibytes(String quantity) {
        if (quantity.endsWith("Mi")) return Integer.parseInt(quantity.substring(0, quantity.length() - 2));
        if (quantity.endsWith("Gi")) return Integer.parseInt(quantity.substring(0, quantity.length() - 2)) * 1024;
        throw new IllegalArgumentException("trellis.injection.proxy-memory must be in Mi or Gi: " + quantity);
    }

    private static void env(ArrayNode environment, String name, String value) {
        environment.addObject().put("name", name).put("value", value);
    }

    private static void property(ArrayNode properties, String name, String value) {
        properties.addObject().put("name", name).put("value", value);
    }
}
