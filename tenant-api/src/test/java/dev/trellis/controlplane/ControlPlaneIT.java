package dev.trellis.controlplane;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Base of the integration tests: one control plane on one real embedded PostgreSQL, shared by
 * every test class (same configuration, so Spring reuses the context). Tenants get unique names,
 * so tests never depend on each other's data.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "trellis.operator-key=" + ControlPlaneIT.OPERATOR_KEY,
        "trellis.home=target/it-home"})
abstract class ControlPlaneIT {
    static final String OPERATOR_KEY = "it-operator-key-0123456789";

    @LocalServerPort
    int port;

    Api api;

    @BeforeEach
    void connect() {
        api = new Api(port, OpenApiContract.instance()::check);
    }

    /** A new tenant; answers its owner API key. */
    String newTenant() {
        String name = "t-" + UUID.randomUUID().toString().substring(0, 8);
        Api.Response created = api.post("/v1/tenants", OPERATOR_KEY, "{\"name\": \"" + name + "\"}");
        assertThat(created.status()).isEqualTo(201);
        return created.json().get("apiKey").asString();
    }

    /** A new API key of the given role in the tenant of {@code ownerKey}. */
    String newKey(String ownerKey, String role) {
        Api.Response created = api.post("/v1/api-keys", ownerKey, "{\"name\": \"" + role + "\", \"role\": \"" + role + "\"}");
        assertThat(created.status()).isEqualTo(201);
        return created.json().get("apiKey").asString();
    }

    /** A mesh {@code shop} with services echo (v1, v2, endpoints) and web, and a 90/10 route. */
    void declareShop(String key) {
        assertThat(api.put("/v1/meshes/shop", key, "{\"mtls\": \"PERMISSIVE\"}").status()).isEqualTo(201);
        assertThat(api.put("/v1/meshes/shop/services/echo", key, ECHO).status()).isEqualTo(201);
        assertThat(api.put("/v1/meshes/shop/services/web", key, "{\"protocol\": \"http\", \"port\": 8080, \"versions\": [{\"name\": \"v1\"}]}").status()).isEqualTo(201);
        assertThat(api.put("/v1/meshes/shop/routes/echo-canary", key, canary(90, 10)).status()).isEqualTo(201);
    }

    static final String ECHO = """
            {"protocol": "http", "port": 8080, "versions": [{"name": "v1"}, {"name": "v2"}],
             "loadBalancer": {"algorithm": "EWMA"},
             "endpoints": [{"address": "10.0.0.7", "port": 8080, "version": "v1"},
                           {"address": "10.0.0.8", "port": 8080, "version": "v2"}]}""";

    static String canary(int v1, int v2) {
        return """
                {"service": "echo",
                 "rules": [{"match": {"pathPrefix": "/", "methods": ["GET"]},
                            "backends": [{"service": "echo", "version": "v1", "weight": %d},
                                         {"service": "echo", "version": "v2", "weight": %d}],
                            "timeout": "2s",
                            "retry": {"attempts": 3, "perTryTimeout": "500ms", "retryOn": ["5xx", "reset"], "budgetPercent": 20}}]}"""
                .formatted(v1, v2);
    }
}
