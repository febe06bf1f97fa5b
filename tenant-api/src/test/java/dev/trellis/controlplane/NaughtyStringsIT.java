package dev.trellis.controlplane;

import dev.trellis.controlplane.database.TenantTransactions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every naughty string ({@link NaughtyStrings}) in every string field of every write endpoint
 * (issue 11 §2): never a 5xx, every refusal a problem document, nothing stored by a refused write
 * (the audit log, which every stored change writes in its transaction, grows only with accepted
 * changes; the fleet's reports stay as they were), and no stack trace in the log.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(300)
class NaughtyStringsIT extends ControlPlaneIT {
    @Autowired
    TenantTransactions transactions;
    @Autowired
    JdbcClient jdbc;

    private String key;
    private String tenantId;
    private int requests;
    private final List<String> failures = new ArrayList<>();

    /** One write endpoint: where it is, who calls it, and a valid document to vary one string at a time. */
    private record Endpoint(String method, String path, Supplier<String> bearer, String template) {
    }

    @Test
    void noStringInAnyFieldOfAnyWriteBreaksTheApi(CapturedOutput output) throws Exception {
        key = newTenant();
        tenantId = api.get("/v1/tenant", key).json().get("id").asString();
        declareShop(key);
        Api fleet = new Api(port, exchange -> {
        });
        String joinToken = api.post("/v1/meshes/shop/join-tokens", key, "{\"service\": \"echo\", \"version\": \"v1\"}").json().get("token").asString();
        String csr = ProxyKey.generate().csr();
        String proxyToken = fleet.post("/v1/fleet/register", null, "{\"joinToken\": \"" + joinToken + "\", \"csr\": "
                + Api.JSON.writeValueAsString(csr) + "}").json().get("token").asString();
        String spareJoinToken = api.post("/v1/meshes/shop/join-tokens", key, "{\"service\": \"echo\"}").json().get("token").asString();
        List<String> corpus = NaughtyStrings.all();
        int mark = output.getAll().length();

        List<Endpoint> endpoints = List.of(
                new Endpoint("POST", "/v1/tenants", () -> OPERATOR_KEY, "{\"name\": \"n\"}"),
                new Endpoint("POST", "/v1/api-keys", () -> key, "{\"name\": \"ci\", \"role\": \"viewer\"}"),
                new Endpoint("PUT", "/v1/members/alice", () -> key, "{\"role\": \"viewer\", \"subject\": \"alice\"}"),
                new Endpoint("PUT", "/v1/meshes/shop", () -> key, "{\"mtls\": \"PERMISSIVE\"}"),
                new Endpoint("PUT", "/v1/meshes/shop/services/echo", () -> key, """
                        {"protocol": "http", "port": 8080, "versions": [{"name": "v1"}, {"name": "v2"}],
                         "loadBalancer": {"algorithm": "EWMA"}, "dependsOn": ["web"],
                         "endpoints": [{"address": "10.0.0.7", "port": 8080, "version": "v1"},
                                       {"address": "10.0.0.8", "port": 8080, "version": "v2"}]}"""),
                new Endpoint("PUT", "/v1/meshes/shop/routes/echo-canary", () -> key, """
                        {"service": "echo",
                         "rules": [{"match": {"pathPrefix": "/", "methods": ["GET"], "headers": [{"name": "x-canary", "exact": "1"}],
                                              "query": [{"name": "q", "exact": "1"}]},
                                    "backends": [{"service": "echo", "version": "v1", "weight": 90},
                                                 {"service": "echo", "version": "v2", "weight": 10}],
                                    "timeout": "2s",
                                    "retry": {"attempts": 3, "perTryTimeout": "500ms", "retryOn": ["5xx", "reset"], "budgetPercent": 20}},
                                   {"match": {"path": "/exact"}, "backends": [{"service": "echo", "version": "v1", "weight": 100}]},
                                   {"match": {"pathRegex": "/r/[a-z]+"}, "backends": [{"service": "echo", "version": "v1", "weight": 100}]}]}"""),
                new Endpoint("PUT", "/v1/meshes/shop/policies/web-to-echo", () -> key, """
                        {"kind": "ACCESS", "target": {"service": "echo"},
                         "spec": {"allow": [{"from": {"service": "web"}, "methods": ["GET"], "paths": ["/api"]}]}}"""),
                new Endpoint("PUT", "/v1/meshes/shop/policies/echo-timeout", () -> key,
                        "{\"kind\": \"TIMEOUT\", \"target\": {\"service\": \"echo\", \"route\": \"echo-canary\"}, \"spec\": {\"timeout\": \"3s\"}}"),
                new Endpoint("POST", "/v1/meshes/shop/simulate", () -> key,
                        "{\"source\": \"web\", \"host\": \"echo\", \"method\": \"GET\", \"path\": \"/\", \"headers\": {\"x-canary\": \"1\"}, \"query\": {\"q\": \"1\"}}"),
                new Endpoint("POST", "/v1/meshes/shop/join-tokens", () -> key, "{\"service\": \"echo\", \"version\": \"v1\", \"ttl\": \"10m\"}"),
                new Endpoint("POST", "/v1/fleet/register", () -> null, "{\"joinToken\": " + Api.JSON.writeValueAsString(spareJoinToken)
                        + ", \"csr\": " + Api.JSON.writeValueAsString(csr) + "}"),
                new Endpoint("POST", "/v1/fleet/certificates", () -> proxyToken, "{\"csr\": " + Api.JSON.writeValueAsString(csr) + "}"),
                new Endpoint("POST", "/v1/fleet/status", () -> proxyToken, "{\"version\": \"sha256:ab\", \"result\": \"rejected\", \"reason\": \"r\"}"),
                new Endpoint("POST", "/v1/fleet/endpoints", () -> proxyToken, "{\"address\": \"10.0.0.9\", \"port\": 8080}"));

        for (Endpoint endpoint : endpoints) {
            JsonNode template = Api.JSON.readTree(endpoint.template());
            for (String field : stringFields(template, "")) {
                long auditBefore = auditEvents();
                int accepted = 0;
                for (String naughty : corpus) {
                    JsonNode document = template.deepCopy();
                    replace(document, field, naughty);
                    Api.Response response = (endpoint.path().startsWith("/v1/fleet/") ? fleet : api)
                            .send(endpoint.method(), endpoint.path(), endpoint.bearer().get(), Api.JSON.writeValueAsString(document));
                    requests++;
                    String where = endpoint.method() + " " + endpoint.path() + " " + field + "=" + printable(naughty);
                    if (response.status() >= 500) failures.add(where + " answered " + response.status());
                    else if (response.status() >= 400 && !String.valueOf(response.header("Content-Type")).startsWith("application/problem+json")) {
                        failures.add(where + " answered " + response.status() + " without a problem document");
                    } else if (response.status() < 300 && changes(endpoint, response)) accepted++;
                }
                long added = auditEvents() - auditBefore;
                if (added > accepted) failures.add(endpoint.method() + " " + endpoint.path() + " " + field + ": " + added
                        + " audit events for " + accepted + " accepted changes");
            }
        }
        assertThat(failures).as(requests + " requests").isEmpty();
        assertThat(requests).isGreaterThan(3000);
        String log = output.getAll().substring(mark);
        assertThat(log).doesNotContain("\tat ").doesNotContain("Unexpected failure").doesNotContainIgnoringCase("SQLState");
    }

    /** Whether an accepted answer stored a change (and so an audit event). */
    private static boolean changes(Endpoint endpoint, Api.Response response) {
        if (endpoint.path().startsWith("/v1/fleet/") || endpoint.path().endsWith("/simulate")) return false;
        if (endpoint.path().equals("/v1/tenants")) return false; // another tenant's audit log
        return response.status() == 201 || response.status() == 200;
    }

    private long auditEvents() {
        return transactions.inTenant(tenantId, () -> jdbc.sql("SELECT count(*) FROM audit_events WHERE tenant_id = ?")
                .param(tenantId).query(Long.class).single());
    }

    /** JSON paths of every string leaf: {@code rules[0].backends[1].service}. */
    private static List<String> stringFields(JsonNode node, String path) {
        List<String> fields = new ArrayList<>();
        if (node.isString()) fields.add(path);
        else if (node.isArray()) for (int i = 0; i < node.size(); i++) fields.addAll(stringFields(node.get(i), path + "[" + i + "]"));
        else if (node.isObject()) node.properties().forEach(e -> fields.addAll(stringFields(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey())));
        return fields;
    }

    private static void replace(JsonNode document, String path, String value) {
        JsonNode parent = document;
        String[] steps = path.replace("[", ".[").split("\\.");
        for (int i = 0; i < steps.length - 1; i++) parent = step(parent, steps[i]);
        String last = steps[steps.length - 1];
        if (last.startsWith("[")) ((ArrayNode) parent).set(Integer.parseInt(last.substring(1, last.length() - 1)), value);
        else ((ObjectNode) parent).put(last, value);
    }

    private static JsonNode step(JsonNode node, String step) {
        return step.startsWith("[") ? node.get(Integer.parseInt(step.substring(1, step.length() - 1))) : node.get(step);
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(40).forEach(c -> out.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\u%04x", c)));
        return text.length() > 40 ? out + "...(" + text.length() + ")" : out.toString();
    }
}
