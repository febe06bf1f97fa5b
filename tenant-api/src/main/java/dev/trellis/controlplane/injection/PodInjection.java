package dev.trellis.controlplane.injection;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the webhook does to one pod, as a pure function of the pod: read its labels, decide whether
 * to skip it (and why), and write the JSON Patch that adds the proxy. The pod stays JSON, so fields
 * of Kubernetes versions newer than this code pass through untouched.
 */
final class PodInjection {
    static final String INJECT_LABEL = "trellis.dev/inject";
    static final String SERVICE_LABEL = "trellis.dev/service";
    static final String VERSION_LABEL = "trellis.dev/version";
    static final String STATUS_ANNOTATION = "trellis.dev/status";
    static final String PROXY_CONTAINER = "trellis-proxy";
    static final String INIT_CONTAINER = "trellis-init";
    static final String DATA_VOLUME = "trellis-data";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Containers and annotations by which other meshes' injectors mark a pod. */
    private static final List<String> OTHER_SIDECARS = List.of("istio-proxy", "linkerd-proxy", "kuma-sidecar", "envoy-sidecar");
    private static final List<String> OTHER_ANNOTATIONS = List.of("sidecar.istio.io/status", "linkerd.io/proxy-version",
            "kuma.io/sidecar-injected");

    private PodInjection() {
    }

    /** The service and version a pod's labels name; version may be null. */
    record Workload(String service, String version) {
    }

    /** Everything the patch needs besides the pod. {@code joinToken} is null in a dry run. */
    record Plan(String injector, String mesh, Workload workload, int appPort, InjectorSpec spec, String controlPlane,
                String joinToken, InjectionSettings settings) {
    }

    /** The reason to leave this pod alone, if there is one; the checks that need no database. */
    static Optional<Skip> skip(JsonNode pod) {
        JsonNode metadata = pod.path("metadata");
        if ("disabled".equals(metadata.path("labels").path(INJECT_LABEL).asString(""))) {
            return Optional.of(new Skip(Skip.OPTED_OUT, "the pod is labelled " + INJECT_LABEL + "=disabled"));
        }
        if (pod.path("spec").path("hostNetwork").asBoolean(false)) {
            return Optional.of(new Skip(Skip.HOST_NETWORK,
                    "the pod uses the host's network, where redirect rules would capture every pod on the node"));
        }
        if (metadata.path("annotations").has(STATUS_ANNOTATION) || hasContainer(pod, PROXY_CONTAINER)) {
            return Optional.of(new Skip(Skip.ALREADY_INJECTED, "the pod already carries the Trellis proxy"));
        }
        for (String annotation : OTHER_ANNOTATIONS) {
            if (metadata.path("annotations").has(annotation)) {
                return Optional.of(new Skip(Skip.OTHER_MESH, "another mesh injected it (annotation " + annotation + ")"));
            }
        }
        for (String sidecar : OTHER_SIDECARS) {
            if (hasContainer(pod, sidecar)) {
                return Optional.of(new Skip(Skip.OTHER_MESH, "another mesh's sidecar is there (container " + sidecar + ")"));
            }
        }
        return Optional.empty();
    }

    /** Service and version from {@code trellis.dev/*} labels, else {@code app.kubernetes.io/name} and {@code /version}. */
    static Optional<Workload> workload(JsonNode pod) {
        JsonNode labels = pod.path("metadata").path("labels");
        String service = label(labels, SERVICE_LABEL).orElseGet(() -> label(labels, "app.kubernetes.io/name").orElse(null));
        if (service == null) return Optional.empty();
        String version = label(labels, VERSION_LABEL).orElseGet(() -> label(labels, "app.kubernetes.io/version").orElse(null));
        return Optional.of(new Workload(service, version));
    }

    /** A name for warnings and counters: the pod's name, or its generateName prefix with a star. */
    static String podName(JsonNode pod) {
        JsonNode metadata = pod.path("metadata");
        String name = metadata.path("name").asString("");
        if (!name.isEmpty()) return name;
        String prefix = metadata.path("generateName").asString("");
        return prefix.isEmpty() ? "(unnamed)" : prefix + "*";
    }

    /** The JSON Patch (RFC 6902) that injects the proxy; operations apply in order. */
    static ArrayNode patch(JsonNode pod, Plan plan) {
        ArrayNode ops = NODES.arrayNode();
        JsonNode spec = pod.path("spec");
        if (!plan.spec().redirect()) {
            // Before the proxy is inserted, so the indices are the app's own containers.
            JsonNode containers = spec.path("containers");
            for (int i = 0; i < containers.size(); i++) explicitProxyEnv(ops, containers.get(i), "/spec/containers/" + i);
        }
        JsonNode proxy = proxyContainer(plan);
        if (plan.spec().nativeSidecars()) {
            // Init containers run in order: the redirect rules first, then the proxy, then the app's own.
            ensureArray(ops, spec, "initContainers");
            ops.add(add("/spec/initContainers/0", proxy));
            if (plan.spec().redirect()) ops.add(add("/spec/initContainers/0", initContainer(plan)));
        } else {
            ops.add(add("/spec/containers/0", proxy));
            if (plan.spec().redirect()) {
                ensureArray(ops, spec, "initContainers");
                ops.add(add("/spec/initContainers/0", initContainer(plan)));
            }
        }
        ensureArray(ops, spec, "volumes");
        ops.add(add("/spec/volumes/-", NODES.objectNode().put("name", DATA_VOLUME)
                .set("emptyDir", NODES.objectNode().put("sizeLimit", "16Mi"))));
        if (!pod.path("metadata").has("annotations")) ops.add(add("/metadata/annotations", NODES.objectNode()));
        ops.add(add("/metadata/annotations/" + escape(STATUS_ANNOTATION), NODES.stringNode(status(plan))));
        return ops;
    }

    private static String status(Plan plan) {
        ObjectNode status = NODES.objectNode()
                .put("injector", plan.injector())
                .put("mesh", plan.mesh())
                .put("service", plan.workload().service());
        if (plan.workload().version() != null) status.put("version", plan.workload().version());
        status.put("mode", plan.spec().mode()).put("nativeSidecar", plan.spec().nativeSidecars());
        return status.toString();
    }

    private static ObjectNode proxyContainer(Plan plan) {
        ObjectNode container = NODES.objectNode().put("name", PROXY_CONTAINER).put("image", plan.settings().proxyImage());
        container.putArray("args").add("proxy");
        if (plan.spec().nativeSidecars()) container.put("restartPolicy", "Always");
        ArrayNode env = container.putArray("env");
        env(env, "TRELLIS_CONTROL_PLANE", plan.controlPlane());
        env(env, "TRELLIS_JOIN_TOKEN", plan.joinToken() == null ? "" : plan.joinToken());
        env(env, "TRELLIS_MESH", plan.mesh());
        env(env, "TRELLIS_SERVICE", plan.workload().service());
        if (plan.workload().version() != null) env(env, "TRELLIS_VERSION", plan.workload().version());
        env(env, "TRELLIS_APP_PORT", Integer.toString(plan.appPort()));
        env(env, "TRELLIS_INBOUND_PORT", Integer.toString(ProxyPorts.INBOUND));
        env(env, "TRELLIS_OUTBOUND_PORT", Integer.toString(ProxyPorts.OUTBOUND));
        env(env, "TRELLIS_ADMIN_PORT", Integer.toString(ProxyPorts.ADMIN));
        env(env, "TRELLIS_DATA_DIR", ProxyPorts.DATA_DIR);
        env.addObject().put("name", "TRELLIS_ADVERTISE_ADDRESS")
                .putObject("valueFrom").putObject("fieldRef").put("fieldPath", "status.podIP");
        ArrayNode ports = container.putArray("ports");
        ports.addObject().put("name", "trellis-inbound").put("containerPort", ProxyPorts.INBOUND).put("protocol", "TCP");
        ports.addObject().put("name", "trellis-admin").put("containerPort", ProxyPorts.ADMIN).put("protocol", "TCP");
        container.set("readinessProbe", probe(2, 3));
        // A native sidecar's startup probe also holds the app's containers until the proxy is ready.
        container.set("startupProbe", probe(1, 120));
        ObjectNode resources = container.putObject("resources");
        resources.putObject("requests").put("cpu", plan.settings().proxyCpu()).put("memory", plan.settings().proxyMemory());
        resources.putObject("limits").put("memory", plan.settings().proxyMemory());
        ObjectNode security = container.putObject("securityContext")
                .put("runAsUser", plan.settings().proxyUid())
                .put("runAsGroup", plan.settings().proxyUid())
                .put("runAsNonRoot", true)
                .put("allowPrivilegeEscalation", false)
                .put("readOnlyRootFilesystem", true);
        security.putObject("capabilities").putArray("drop").add("ALL");
        container.putArray("volumeMounts").addObject().put("name", DATA_VOLUME).put("mountPath", ProxyPorts.DATA_DIR);
        return container;
    }

    private static ObjectNode initContainer(Plan plan) {
        ObjectNode container = NODES.objectNode().put("name", INIT_CONTAINER).put("image", plan.settings().proxyImage());
        container.putArray("args").add("init");
        ArrayNode env = container.putArray("env");
        env(env, "TRELLIS_PROXY_UID", Integer.toString(plan.settings().proxyUid()));
        env(env, "TRELLIS_INBOUND_PORT", Integer.toString(ProxyPorts.INBOUND));
        env(env, "TRELLIS_OUTBOUND_PORT", Integer.toString(ProxyPorts.OUTBOUND));
        env(env, "TRELLIS_ADMIN_PORT", Integer.toString(ProxyPorts.ADMIN));
        ObjectNode resources = container.putObject("resources");
        resources.putObject("requests").put("cpu", "10m").put("memory", "16Mi");
        resources.putObject("limits").put("memory", "32Mi");
        ObjectNode security = container.putObject("securityContext")
                .put("runAsUser", 0)
                .put("runAsNonRoot", false)
                .put("allowPrivilegeEscalation", false)
                .put("readOnlyRootFilesystem", true);
        ObjectNode capabilities = security.putObject("capabilities");
        capabilities.putArray("add").add("NET_ADMIN").add("NET_RAW");
        capabilities.putArray("drop").add("ALL");
        return container;
    }

    private static ObjectNode probe(int periodSeconds, int failureThreshold) {
        ObjectNode probe = NODES.objectNode();
        probe.putObject("httpGet").put("path", ProxyPorts.READY_PATH).put("port", ProxyPorts.ADMIN);
        return probe.put("periodSeconds", periodSeconds).put("failureThreshold", failureThreshold);
    }

    /** HTTP_PROXY and friends for one app container, unless it sets its own. */
    private static void explicitProxyEnv(ArrayNode ops, JsonNode container, String path) {
        JsonNode env = container.path("env");
        for (JsonNode variable : env) {
            if (variable.path("name").asString("").equalsIgnoreCase("HTTP_PROXY")) return;
        }
        String proxy = "http://127.0.0.1:" + ProxyPorts.OUTBOUND;
        Map<String, String> values = new java.util.LinkedHashMap<>();
        values.put("HTTP_PROXY", proxy);
        values.put("http_proxy", proxy);
        values.put("NO_PROXY", "localhost,127.0.0.1,::1");
        values.put("no_proxy", "localhost,127.0.0.1,::1");
        if (!env.isArray()) ops.add(add(path + "/env", NODES.arrayNode()));
        values.forEach((name, value) -> ops.add(add(path + "/env/-", NODES.objectNode().put("name", name).put("value", value))));
    }

    private static void ensureArray(ArrayNode ops, JsonNode spec, String field) {
        if (!spec.path(field).isArray()) ops.add(add("/spec/" + field, NODES.arrayNode()));
    }

    private static boolean hasContainer(JsonNode pod, String name) {
        for (String field : List.of("containers", "initContainers")) {
            for (JsonNode container : pod.path("spec").path(field)) {
                if (name.equals(container.path("name").asString(""))) return true;
            }
        }
        return false;
    }

    private static Optional<String> label(JsonNode labels, String name) {
        String value = labels.path(name).asString("");
        return value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    private static void env(ArrayNode env, String name, String value) {
        env.addObject().put("name", name).put("value", value);
    }

    private static ObjectNode add(String path, JsonNode value) {
        return NODES.objectNode().put("op", "add").put("path", path).set("value", value);
    }

    /** A JSON Pointer token (RFC 6901): {@code ~} and {@code /} escaped. */
    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
