package dev.trellis.controlplane;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The spec cannot drift: every /v1 endpoint the application maps is in openapi/trellis.yaml, and
 * a walk through every documented operation passes the contract check (see {@link OpenApiContract}).
 */
class OpenApiContractIT extends ControlPlaneIT {
    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Test
    void everyMappedEndpointIsDocumented() {
        Set<String> documented = new TreeSet<>();
        OpenApiContract.instance().operations().forEach(o -> documented.add(o.key()));
        Set<String> mapped = new TreeSet<>();
        mappings.getHandlerMethods().keySet().forEach(info -> info.getPatternValues().stream()
                .filter(p -> p.startsWith("/v1/"))
                .forEach(p -> info.getMethodsCondition().getMethods().forEach(m ->
                        mapped.add(m.name() + " " + p.replaceAll("\\{(\\w+):[^}]*}", "{$1}")))));
        assertThat(documented).containsAll(mapped);
        assertThat(mapped).containsAll(documented);
    }

    @Test
    void swaggerUiServesTheSpecFile() throws Exception {
        Api.Response spec = api.get("/openapi/trellis.yaml", null);
        assertThat(spec.status()).isEqualTo(200);
        assertThat(spec.body()).isEqualTo(java.nio.file.Files.readString(OpenApiContract.SPEC));
        Api.Response ui = api.get("/swagger-ui.html", null);
        assertThat(ui.status()).isEqualTo(200);
        assertThat(ui.body()).contains("/openapi/trellis.yaml");
        Api.Response bundle = api.get("/webjars/swagger-ui/swagger-ui-bundle.js", null);
        assertThat(bundle.status()).isEqualTo(200);
        assertThat(bundle.bytes().length).isGreaterThan(100_000);
    }

    @Test
    void everyDocumentedOperationAnswersAsDocumented() {
        String key = newTenant();
        declareShop(key);
        api.put("/v1/meshes/shop/policies/web-to-echo", key, """
                {"kind": "ACCESS", "target": {"service": "echo"},
                 "spec": {"allow": [{"from": {"service": "web"}, "methods": ["GET"]}]}}""");
        api.get("/v1/tenant", key);
        String id = api.post("/v1/api-keys", key, "{\"name\": \"ci\", \"role\": \"viewer\"}").json().get("id").asString();
        api.get("/v1/api-keys", key);
        api.get("/v1/api-keys/" + id, key);
        api.delete("/v1/api-keys/" + id, key);
        api.put("/v1/members/bob", key, "{\"role\": \"viewer\"}");
        api.get("/v1/members", key);
        api.get("/v1/members/bob", key);
        api.delete("/v1/members/bob", key);
        api.get("/v1/audit-events", key);
        api.get("/v1/meshes", key);
        api.get("/v1/meshes/shop", key);
        api.get("/v1/meshes/shop/routes", key);
        api.get("/v1/meshes/shop/routes/echo-canary", key);
        api.put("/v1/meshes/shop/routes/echo-canary?dryRun=true", key, canary(50, 50));
        api.get("/v1/meshes/shop/analysis", key);
        api.post("/v1/meshes/shop/simulate", key, "{\"source\": \"web\", \"host\": \"echo\", \"path\": \"/\"}");
        api.get("/v1/meshes/shop/snapshots/echo", key);
        String joinToken = api.post("/v1/meshes/shop/join-tokens", key, "{\"service\": \"echo\", \"version\": \"v1\", \"ttl\": \"5m\"}")
                .json().get("token").asString();
        walkTheFleet(joinToken);
        api.get("/v1/meshes/shop/proxies", key);
        api.get("/v1/meshes/shop/metrics?service=echo", key);
        api.get("/v1/meshes/shop/metrics/summary", key);
        api.get("/v1/metrics/prometheus", key);
        api.delete("/v1/meshes/shop/policies/web-to-echo", key);
        api.put("/v1/meshes/empty", key, "{}");
        api.delete("/v1/meshes/empty", key);

        Set<String> missing = new TreeSet<>();
        OpenApiContract.instance().operations().forEach(o -> missing.add(o.key()));
        missing.removeAll(OpenApiContract.instance().exercised());
        assertThat(missing).isEmpty();
    }

    /** What a proxy does, through the same contract check. */
    private void walkTheFleet(String joinToken) {
        try {
            String csr = ProxyKey.generate().csr();
            String registration = Api.JSON.createObjectNode().put("joinToken", joinToken).put("csr", csr).toString();
            String proxyToken = api.post("/v1/fleet/register", null, registration).json().get("token").asString();
            String version = api.get("/v1/fleet/config", proxyToken).json().get("version").asString();
            api.post("/v1/fleet/status", proxyToken, "{\"version\": \"" + version + "\", \"result\": \"applied\"}");
            String renewal = Api.JSON.createObjectNode().put("csr", ProxyKey.generate().csr()).toString();
            api.post("/v1/fleet/certificates", proxyToken, renewal);
            api.post("/v1/fleet/endpoints", proxyToken, "{\"address\": \"127.0.0.1\", \"port\": 15006}");
            api.delete("/v1/fleet/endpoints", proxyToken);
            java.time.Instant now = java.time.Instant.now();
            api.post("/v1/fleet/usage", proxyToken, new UsageReports(1, now.minusSeconds(10), now)
                    .route("inbound", "inbound", "echo", null, 9, 1, 1_000, 2_000).toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
