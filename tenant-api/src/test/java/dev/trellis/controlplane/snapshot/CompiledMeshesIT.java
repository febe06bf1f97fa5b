package dev.trellis.controlplane.snapshot;

import dev.trellis.compiler.CompileResult;
import dev.trellis.controlplane.database.TenantTransactions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writes recompile incrementally from this replica's cached compile of the mesh, and what they
 * store is exactly what a full compile of the stored documents gives; a mesh changed behind the
 * cache's back (another replica) is read in full.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "trellis.operator-key=it-operator-key-0123456789",
        "trellis.home=target/it-home"})
@Timeout(120)
class CompiledMeshesIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;
    @Autowired
    MeshCompilation compilation;
    @Autowired
    CompiledMeshes cache;
    @Autowired
    SnapshotStore snapshots;
    @Autowired
    TenantTransactions transactions;
    @Autowired
    JdbcClient jdbc;

    @Test
    void incrementalWritesStoreWhatAFullCompileGives() throws Exception {
        String key = tenantKey();
        String tenant = field(send("GET", "/v1/tenant", key, null, 200), "id");
        send("PUT", "/v1/meshes/m", key, "{\"mtls\": \"STRICT\"}", 201);
        for (int i = 0; i < 12; i++) {
            send("PUT", "/v1/meshes/m/services/s" + i, key,
                    "{\"port\": 8080, \"versions\": [{\"name\": \"v1\"}, {\"name\": \"v2\"}], \"endpoints\": ["
                            + "{\"address\": \"10.0.0." + i + "\", \"port\": 8080, \"version\": \"v1\"}]}", 201);
        }
        for (int i = 0; i < 12; i++) {
            send("PUT", "/v1/meshes/m/policies/access-s" + i, key, "{\"kind\": \"ACCESS\", \"target\": {\"service\": \"s" + i
                    + "\"}, \"spec\": {\"allow\": [{\"from\": {\"service\": \"s" + ((i + 1) % 12) + "\"}}, {\"from\": {\"service\": \"s"
                    + ((i + 5) % 12) + "\"}}]}}", 201);
            send("PUT", "/v1/meshes/m/routes/r" + i, key, route("s" + i, 90), 201);
        }
        send("PUT", "/v1/meshes/m/routes/r3", key, route("s3", 70), 200);
        assertThat(cache.find(tenant, "m")).hasValueSatisfying(entry -> {
            assertThat(entry.generation()).isEqualTo(generation(tenant));
            assertThat(entry.compiled().recompiledServices()).as("a route write rebuilds its callers' snapshots only")
                    .hasSizeLessThan(12).contains("s3");
        });
        send("DELETE", "/v1/meshes/m/policies/access-s4", key, null, 204);
        send("PUT", "/v1/meshes/m/policies/timeout-s2", key,
                "{\"kind\": \"TIMEOUT\", \"target\": {\"service\": \"s2\"}, \"spec\": {\"timeout\": \"3s\"}}", 201);
        assertThat(storedVersions(tenant)).isEqualTo(fullCompileVersions(tenant));

        // Another replica changes a route: this replica's cache is stale and the next write reads everything.
        transactions.inTenant(tenant, () -> {
            jdbc.sql("UPDATE mesh_resources SET document = ?::jsonb, resource_version = resource_version + 1 WHERE tenant_id = ? AND mesh = 'm' AND kind = 'routes' AND name = 'r5'")
                    .params(route("s5", 33), tenant).update();
            return jdbc.sql("UPDATE meshes SET compiled_generation = ? WHERE tenant_id = ? AND name = 'm'")
                    .params(UUID.randomUUID().toString(), tenant).update();
        });
        send("PUT", "/v1/meshes/m/routes/r6", key, route("s6", 20), 200);
        assertThat(storedVersions(tenant)).isEqualTo(fullCompileVersions(tenant));
        assertThat(send("GET", "/v1/meshes/m/snapshots/s10", key, null, 200)).contains("\"weight\":33");
    }

    private String generation(String tenant) {
        return transactions.inTenant(tenant, () -> jdbc.sql("SELECT compiled_generation FROM meshes WHERE tenant_id = ? AND name = 'm'")
                .param(tenant).query(String.class).single());
    }

    private Map<String, String> storedVersions(String tenant) {
        return new TreeMap<>(transactions.inTenant(tenant, () -> snapshots.versions(tenant, "m")));
    }

    /** Every document read and compiled from scratch, bypassing the cache. */
    private Map<String, String> fullCompileVersions(String tenant) {
        cache.forget(tenant, "m");
        CompileResult full = transactions.inTenant(tenant, () -> compilation.compile(tenant, "m"));
        assertThat(full.ok()).isTrue();
        Map<String, String> versions = new TreeMap<>();
        full.snapshots().forEach((service, snapshot) -> versions.put(service, snapshot.version()));
        return versions;
    }

    private static String route(String service, int v1) {
        return """
                {"service": "%s", "rules": [{"match": {"pathPrefix": "/api"}, "timeout": "2s",
                  "backends": [{"service": "%s", "version": "v1", "weight": %d}, {"service": "%s", "version": "v2", "weight": %d}]}]}"""
                .formatted(service, service, v1, service, 100 - v1);
    }

    private String tenantKey() throws Exception {
        return field(send("POST", "/v1/tenants", "it-operator-key-0123456789",
                "{\"name\": \"c-" + UUID.randomUUID().toString().substring(0, 8) + "\"}", 201), "apiKey");
    }

    private String send(String method, String path, String bearer, String body, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + bearer)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) request.header("Content-Type", "application/json");
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(expected);
        return response.body();
    }

    private static String field(String json, String name) {
        Matcher value = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        assertThat(value.find()).as(name + " in " + json).isTrue();
        return value.group(1);
    }
}
