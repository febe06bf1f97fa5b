package dev.trellis.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The whole product on one machine: the control plane jar on its embedded PostgreSQL, a tenant,
 * mesh {@code shop} under STRICT mTLS, and workloads web v1, echo v1 and echo v2 (real HTTP servers)
 * each behind a proxy jar that registered with a join token and offers its own endpoint.
 */
final class ShopMesh implements AutoCloseable {
    static final String OPERATOR_KEY = "e2e-operator-" + UUID.randomUUID();
    static final String CONTROL_PLANE_JAR = "tenant-api/target/trellis-control-plane.jar";
    static final String PROXY_JAR = "proxy-fleet/target/trellis-proxy.jar";

    final Path home;
    /** Where the proxies and the API are reached: this mesh's own control plane, or a load balancer in front of several. */
    final int controlPlanePort;
    final Map<String, Workload> workloads = new java.util.LinkedHashMap<>();
    Launched controlPlane;
    ControlPlaneApi api;

    /** One workload: its app server and the ports and data of the proxy in front of it. */
    static final class Workload {
        final String service;
        final String version;
        final VersionServer app;
        final int inbound = Launched.freePort();
        final int outbound = Launched.freePort();
        final int admin = Launched.freePort();
        final Path dataDir;
        /** Tells apart two workloads of one service and version ("", "b", …). */
        final String instance;
        Launched proxy;

        Workload(String service, String version, Path root) {
            this(service, version, "", root);
        }

        Workload(String service, String version, String instance, Path root) {
            this.service = service;
            this.version = version;
            this.instance = instance;
            this.app = new VersionServer(service, version);
            this.dataDir = root.resolve("proxy-" + service + "-" + version + instance);
        }

        String name() {
            return service + "-" + version + instance;
        }

        /** A client that uses this workload's proxy as its HTTP proxy, as an app with HTTP_PROXY does. */
        HttpClient outboundClient() {
            return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", outbound)))
                    .connectTimeout(Duration.ofSeconds(2)).build();
        }
    }

    ShopMesh() {
        this(Launched.freePort());
    }

    /** Reached through {@code controlPlanePort}, where something other than {@link #startControlPlane()} serves the API. */
    ShopMesh(int controlPlanePort) {
        this.controlPlanePort = controlPlanePort;
        try {
            home = Files.createTempDirectory("trellis-e2e");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String[] w : List.of(new String[]{"web", "v1"}, new String[]{"echo", "v1"}, new String[]{"echo", "v2"})) {
            Workload workload = new Workload(w[0], w[1], home);
            workloads.put(workload.name(), workload);
        }
    }

    void startControlPlane() throws InterruptedException {
        startControlPlane("--trellis.fleet.poll-hold=10s");
    }

    /** As {@link #startControlPlane()}, with these arguments instead of the 10 s poll hold. */
    void startControlPlane(String... args) throws InterruptedException {
        List<String> all = new ArrayList<>(List.of("--server.port=" + controlPlanePort));
        all.addAll(List.of(args));
        controlPlane = Launched.start("control-plane", CONTROL_PLANE_JAR, Map.of(
                        "TRELLIS_HOME", home.resolve("control-plane").toString(), "TRELLIS_OPERATOR_KEY", OPERATOR_KEY),
                all.toArray(String[]::new));
        controlPlane.awaitStatus("http://127.0.0.1:" + controlPlanePort + "/v1/tenant", 401, Duration.ofSeconds(90));
    }

    /** Signs up a tenant and declares the mesh: STRICT, web may call echo, echo split 90/10. */
    void declare() {
        ControlPlaneApi.Answer tenant = new ControlPlaneApi(controlPlanePort, OPERATOR_KEY).post("/v1/tenants", "{\"name\": \"e2e\"}");
        if (tenant.status() != 201) throw new AssertionError("sign-up answered " + tenant.status() + ": " + tenant.body());
        api = new ControlPlaneApi(controlPlanePort, tenant.json().get("apiKey").asString());
        api.declare("/v1/meshes/shop", "{\"mtls\": \"STRICT\"}");
        // No static endpoints: each proxy registers its own when it is ready.
        api.declare("/v1/meshes/shop/services/echo",
                "{\"protocol\": \"http\", \"port\": 8080, \"versions\": [{\"name\": \"v1\"}, {\"name\": \"v2\"}]}");
        api.declare("/v1/meshes/shop/services/web", "{\"protocol\": \"http\", \"port\": 8080, \"versions\": [{\"name\": \"v1\"}]}");
        api.declare("/v1/meshes/shop/policies/web-to-echo",
                "{\"kind\": \"ACCESS\", \"target\": {\"service\": \"echo\"}, \"spec\": {\"allow\": [{\"from\": {\"service\": \"web\"}}]}}");
        api.declare("/v1/meshes/shop/routes/echo-split", split(90, 10));
    }

    static String split(int v1, int v2) {
        return """
                {"service": "echo", "rules": [{"match": {"pathPrefix": "/"},
                  "backends": [{"service": "echo", "version": "v1", "weight": %d},
                               {"service": "echo", "version": "v2", "weight": %d}]}]}""".formatted(v1, v2);
    }

    /** Starts a workload's proxy; the join token is only needed the first time (later starts reuse the data dir). */
    void startProxy(Workload workload, String joinToken) throws InterruptedException {
        startProxy(workload, joinToken, Map.of());
    }

    /** As {@link #startProxy(Workload, String)}, with more environment (TRELLIS_USAGE_INTERVAL...). */
    void startProxy(Workload workload, String joinToken, Map<String, String> more) throws InterruptedException {
        Map<String, String> environment = new java.util.HashMap<>(Map.of(
                "TRELLIS_CONTROL_PLANE", "http://127.0.0.1:" + controlPlanePort,
                "TRELLIS_SERVICE", workload.service,
                "TRELLIS_APP_PORT", String.valueOf(workload.app.port()),
                "TRELLIS_INBOUND_PORT", String.valueOf(workload.inbound),
                "TRELLIS_OUTBOUND_PORT", String.valueOf(workload.outbound),
                "TRELLIS_ADMIN_PORT", String.valueOf(workload.admin),
                "TRELLIS_DATA_DIR", workload.dataDir.toString(), "TRELLIS_ADVERTISE_ADDRESS", "127.0.0.1"));
        if (joinToken != null) environment.put("TRELLIS_JOIN_TOKEN", joinToken);
        environment.putAll(more);
        workload.proxy = Launched.start("proxy-" + workload.name(), PROXY_JAR, environment);
        workload.proxy.awaitStatus("http://127.0.0.1:" + workload.admin + "/ready", 200, Duration.ofSeconds(90));
        // /ready answers once the snapshot is in force, a moment before the inbound listener has bound.
        workload.proxy.awaitListening(workload.inbound, Duration.ofSeconds(30));
    }

    String joinToken(Workload workload) {
        ControlPlaneApi.Answer minted = api.post("/v1/meshes/shop/join-tokens",
                "{\"service\": \"" + workload.service + "\", \"version\": \"" + workload.version + "\"}");
        if (minted.status() != 201) throw new AssertionError("join token answered " + minted.status() + ": " + minted.body());
        return minted.json().get("token").asString();
    }

    /** {@code count} calls from web to echo through web's proxy; each answer body, or the failure. */
    List<String> callEcho(int count) {
        HttpClient client = workloads.get("web-v1").outboundClient();
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) answers.add(callOnce(client));
        return answers;
    }

    /**
     * Waits until calls from web reach both echo versions and 20 calls in a row succeed: the first
     * mTLS connections of freshly started JVMs on a loaded machine can time out.
     */
    void awaitTraffic(Duration within) throws InterruptedException {
        HttpClient client = workloads.get("web-v1").outboundClient();
        java.util.Set<String> seen = new java.util.HashSet<>();
        long deadline = System.nanoTime() + within.toNanos();
        int inARow = 0;
        while (inARow < 20 || !seen.containsAll(List.of("echo v1", "echo v2"))) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("no steady traffic from web to echo within " + within);
            String answer = callOnce(client);
            if (answer.startsWith("echo ")) {
                seen.add(answer);
                inARow++;
            } else {
                inARow = 0;
                Thread.sleep(100);
            }
        }
    }

    /** Fresh JVMs on a loaded machine: the first mTLS connections are slow. Waits for {@code count} calls in a row answered echo v1. */
    void awaitEchoV1InARow(int count, Duration within) {
        HttpClient client = workloads.get("web-v1").outboundClient();
        int inARow = 0;
        long deadline = System.nanoTime() + within.toNanos();
        while (inARow < count) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("no steady traffic from web to echo within " + within);
            if (callOnce(client).equals("echo v1")) inARow++;
            else inARow = 0;
        }
    }

    static String callOnce(HttpClient client) {
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://echo/hello"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : "status " + response.statusCode() + ": " + response.body();
        } catch (IOException e) {
            return "failed: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Workload workload : workloads.values()) {
            if (workload.proxy != null) workload.proxy.stop();
            workload.app.close();
        }
        if (controlPlane != null) controlPlane.stop();
    }
}
