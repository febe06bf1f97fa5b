package dev.trellis.controlplane;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

import java.util.List;
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
        OpenApiContract.instance().operations().forEach(o -> documented.add(o.method() + " " + anyParameter(o.template())));
        Set<String> mapped = new TreeSet<>();
        mappings.getHandlerMethods().keySet().forEach(info -> info.getPatternValues().stream()
                .filter(p -> p.startsWith("/v1/"))
                .flatMap(OpenApiContractIT::alternatives)
                .forEach(p -> info.getMethodsCondition().getMethods().forEach(m -> mapped.add(m.name() + " " + anyParameter(p)))));
        // Served by a servlet filter of its own, outside Spring MVC (telemetry's UsageEndpoint).
        mapped.add("POST /v1/fleet/usage");
        assertThat(documented).containsAll(mapped);
        assertThat(mapped).containsAll(documented);
    }

    /** A segment {@code {kind:services|routes|policies}} maps one literal path per alternative, as the spec lists them. */
    private static java.util.stream.Stream<String> alternatives(String pattern) {
        java.util.regex.Matcher choice = java.util.regex.Pattern.compile("\\{\\w+:([a-z|-]+)}").matcher(pattern);
        if (!choice.find()) return java.util.stream.Stream.of(pattern);
        return java.util.Arrays.stream(choice.group(1).split("\\|"))
                .map(literal -> pattern.substring(0, choice.start()) + literal + pattern.substring(choice.end()))
                .flatMap(OpenApiContractIT::alternatives);
    }

    /** Parameter names differ between the code and the spec ({name} and {service}); their places must not. */
    private static String anyParameter(String template) {
        return template.replaceAll("\\{[^}]+}", "{}");
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
        for (String kind : List.of("services", "routes", "policies")) api.get("/v1/meshes/shop/" + kind, key);
        api.get("/v1/meshes/shop/services/echo", key);
        api.get("/v1/meshes/shop/routes/echo-canary", key);
        api.get("/v1/meshes/shop/policies/web-to-echo", key);
        api.put("/v1/meshes/shop/services/web?dryRun=true", key, "{\"protocol\": \"http\", \"port\": 8081}");
        api.put("/v1/meshes/shop/policies/web-to-echo?dryRun=true", key, """
                {"kind": "ACCESS", "target": {"service": "echo"}, "spec": {"allow": [{"from": {"service": "web"}}]}}""");
        api.delete("/v1/meshes/shop/routes/echo-canary?dryRun=true", key);
        api.delete("/v1/meshes/shop/services/web?dryRun=true", key);
        api.put("/v1/meshes/shop/routes/echo-canary?dryRun=true", key, canary(50, 50));
        api.get("/v1/meshes/shop/analysis", key);
        api.post("/v1/meshes/shop/simulate", key, "{\"source\": \"web\", \"host\": \"echo\", \"path\": \"/\"}");
        api.get("/v1/meshes/shop/snapshots/echo", key);
        String joinToken = api.post("/v1/meshes/shop/join-tokens", key, "{\"service\": \"echo\", \"version\": \"v1\", \"ttl\": \"5m\"}")
                .json().get("token").asString();
        String proxyId = walkTheFleet(joinToken);
        String unused = api.post("/v1/meshes/shop/join-tokens", key, "{\"service\": \"echo\", \"version\": \"v1\"}")
                .json().get("id").asString();
        api.delete("/v1/meshes/shop/join-tokens/" + unused, key);
        api.get("/v1/meshes/shop/proxies", key);
        api.get("/v1/meshes/shop/authority", key);
        api.post("/v1/meshes/shop/authority/rotations", key, "{\"overlap\": \"24h\"}");
        api.get("/v1/meshes/shop/metrics?service=echo", key);
        api.get("/v1/meshes/shop/metrics/summary", key);
        api.get("/v1/metrics/prometheus", key);
        api.delete("/v1/meshes/shop/proxies/" + proxyId, key);
        walkInjection(key);
        api.delete("/v1/meshes/shop/policies/web-to-echo", key);
        api.put("/v1/meshes/empty", key, "{}");
        api.delete("/v1/meshes/empty", key);
        walkBilling(key);

        Set<String> missing = new TreeSet<>();
        OpenApiContract.instance().operations().forEach(o -> missing.add(o.key()));
        missing.removeAll(OpenApiContract.instance().exercised());
        assertThat(missing).isEmpty();
    }

    /** The billing endpoints, a tenant's and the operator's. */
    private void walkBilling(String key) {
        String tenant = api.get("/v1/tenant", key).json().get("id").asString();
        api.get("/v1/plans", key);
        api.get("/v1/billing/plan", key);
        api.put("/v1/billing/plan", key, "{\"plan\": \"team\"}");
        api.get("/v1/billing/usage", key);
        String invoice = api.get("/v1/billing/invoices", key).json().get("items").get(0).get("id").asString();
        api.get("/v1/billing/invoices/" + invoice, key);
        api.get("/v1/billing/invoices/" + invoice + "/csv", key);
        api.put("/v1/operator/tenants/" + tenant + "/plan", OPERATOR_KEY, "{\"plan\": \"enterprise\", \"limits\": {\"meshes\": 10}}");
        api.get("/v1/operator/billing/usage", OPERATOR_KEY);
        api.post("/v1/operator/billing/periods/2020-01/close", OPERATOR_KEY, null);
        // A draft cannot be credited (400): BillingIT credits a finalised one.
        api.post("/v1/operator/billing/invoices/" + invoice + "/credit-notes", OPERATOR_KEY, "{\"amountMinor\": 1, \"reason\": \"x\"}");
    }

    /** Injectors, their webhook as an API server calls it, and ECS injection with a task token. */
    private void walkInjection(String key) {
        try {
            String yaml = api.put("/v1/meshes/shop/injectors/k8s", key, "{\"mode\": \"redirect\"}").json()
                    .get("webhookConfiguration").asString();
            api.get("/v1/meshes/shop/injectors", key);
            api.get("/v1/meshes/shop/injectors/k8s", key);
            String rotated = api.post("/v1/meshes/shop/injectors/k8s/secret", key, null).json().get("webhookConfiguration").asString();
            String url = rotated.lines().filter(l -> l.strip().startsWith("url:")).findFirst().orElseThrow(() -> new AssertionError(yaml));
            String path = java.net.URI.create(url.strip().substring(4).strip().replace("\"", "")).getPath();
            api.post(path, null, java.nio.file.Files.readString(java.nio.file.Path.of("src/test/resources/injection/admission-review-echo.json")));
            String ecs = java.nio.file.Files.readString(java.nio.file.Path.of("src/test/resources/injection/ecs-request.json"));
            String tokenId = api.post("/v1/meshes/shop/injection/ecs?taskToken=true", key, ecs).json().get("taskToken").get("id").asString();
            api.delete("/v1/meshes/shop/task-tokens/" + tokenId, key);
            api.delete("/v1/meshes/shop/injectors/k8s", key);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What a proxy does, through the same contract check. */
    private String walkTheFleet(String joinToken) {
        try {
            String csr = ProxyKey.generate().csr();
            String registration = Api.JSON.createObjectNode().put("joinToken", joinToken).put("csr", csr).toString();
            JsonNode registered = api.post("/v1/fleet/register", null, registration).json();
            String proxyToken = registered.get("token").asString();
            String version = api.get("/v1/fleet/config", proxyToken).json().get("version").asString();
            api.post("/v1/fleet/status", proxyToken, "{\"version\": \"" + version + "\", \"result\": \"applied\"}");
            String renewal = Api.JSON.createObjectNode().put("csr", ProxyKey.generate().csr()).toString();
            api.post("/v1/fleet/certificates", proxyToken, renewal);
            api.post("/v1/fleet/endpoints", proxyToken, "{\"address\": \"127.0.0.1\", \"port\": 15006}");
            api.delete("/v1/fleet/endpoints", proxyToken);
            java.time.Instant now = java.time.Instant.now();
            api.post("/v1/fleet/usage", proxyToken, new UsageReports(1, now.minusSeconds(10), now)
                    .route("inbound", "inbound", "echo", null, 9, 1, 1_000, 2_000).toString());
            return registered.get("proxyId").asString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
