package dev.trellis.controlplane;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Hostile and broken input: always a 4xx problem document, never a 500, a stack trace, SQL or a class name. */
class BadInputIT extends ControlPlaneIT {
    private static final List<String> LEAKS = List.of("Exception", "at dev.", "at org.", "java.", "tools.jackson",
            "org.springframework", "SELECT", "INSERT", "postgres", "PSQL", "jdbc", "trace");

    @Test
    void brokenDocumentsGetProblemDetails() {
        String key = newTenant();
        api.put("/v1/meshes/shop", key, "{}");
        String service = "/v1/meshes/shop/services/echo";
        List<String> bodies = List.of(
                "{\"port\": ",                                       // malformed
                "[1, 2, 3]",                                         // not an object
                "\"text\"",
                "{\"port\": \"eighty\"}",                            // wrong type
                "{\"port\": 1e999999}",                              // huge number
                "{\"port\": 123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890}",
                "{\"port\": 80, \"port\": 81}",                      // duplicate key
                "{\"port\": 80} trailing",
                "{\"port\": 80, \"versions\": [{\"name\": \"V 1\"}], \"surprise\": {\"deep\": true}}",
                "[".repeat(5000) + "]".repeat(5000),                 // deep nesting
                "{\"a\":".repeat(100) + "1" + "}".repeat(100),
                "");
        for (String body : bodies) {
            assertProblem(api.sendRaw("PUT", service, body.getBytes(StandardCharsets.UTF_8),
                    "Authorization", "Bearer " + key, "Content-Type", "application/json"), 400, 400);
        }
        JsonNode unknown = api.put(service, key, "{\"port\": 80, \"versions\": [{\"name\": \"v1\", \"colour\": \"red\"}], \"surprise\": 1}").json();
        assertThat(unknown.get("violations").toString()).contains("versions[0].colour").contains("surprise");
    }

    @Test
    void oversizedBodiesAreRefused() {
        String key = newTenant();
        byte[] big = ("{\"port\": 80, \"pad\": \"" + "x".repeat(1_100_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertProblem(api.sendRaw("PUT", "/v1/meshes/shop", big, "Authorization", "Bearer " + key,
                "Content-Type", "application/json"), 413, 413);
    }

    @Test
    void hostileNamesAreRefusedOrNotFound() {
        String key = newTenant();
        api.put("/v1/meshes/shop", key, "{}");
        for (String name : List.of("Échø", "ä", "a'; DROP TABLE tenants;--", "x\" OR 1=1", "UPPER", "-dash", "a".repeat(64),
                "%00", "..", "\uD83D\uDE00", "a b")) {
            String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
            Api.Response put = api.put("/v1/meshes/shop/services/" + encoded, key, "{\"port\": 80}");
            assertProblem(put, 400, 404);
            assertProblem(api.get("/v1/meshes/" + encoded + "/services/x", key), 400, 404);
            assertProblem(api.post("/v1/tenants", OPERATOR_KEY, "{\"name\": " + Api.JSON.writeValueAsString(name) + "}"), 400, 400);
        }
        assertThat(api.get("/v1/meshes/shop/services", key).json().get("items")).isEmpty();
    }

    @Test
    void wrongMethodsPathsAndParametersAreProblems() {
        String key = newTenant();
        assertProblem(api.send("PATCH", "/v1/meshes/shop", key, "{}"), 405, 405);
        assertProblem(api.get("/v1/no-such-thing", key), 404, 404);
        assertProblem(api.get("/v1/meshes?limit=abc", key), 400, 400);
        assertProblem(api.get("/v1/meshes?limit=99999999999999999999", key), 400, 400);
        assertProblem(api.get("/v1/meshes?cursor=!!!", key), 400, 400);
        assertProblem(api.get("/v1/meshes/shop/gadgets", key), 404, 404);
        assertProblem(api.sendRaw("GET", "/v1/tenant", null, "Authorization", "Basic Zm9vOmJhcg=="), 401, 401);
        assertProblem(api.sendRaw("PUT", "/v1/meshes/shop", "mtls=STRICT".getBytes(StandardCharsets.UTF_8),
                "Authorization", "Bearer " + key, "Content-Type", "application/x-www-form-urlencoded"), 415, 415);
        assertProblem(api.sendRaw("PUT", "/v1/meshes/shop", "{}".getBytes(StandardCharsets.UTF_8),
                "Authorization", "Bearer " + key, "Content-Type", "no/such;;type=="), 415, 415);
        // Without a body the content type does not matter.
        assertThat(api.sendRaw("GET", "/v1/tenant", null, "Authorization", "Bearer " + key, "Content-Type", "text/plain").status()).isEqualTo(200);
    }

    @Test
    void explicitNullsInRequiredFieldsAreMissingFields() throws Exception {
        String key = newTenant();
        declareShop(key);
        assertViolation(api.post("/v1/api-keys", key, "{\"name\": \"x\", \"role\": null}"), "role");
        assertViolation(api.post("/v1/api-keys", key, "{\"name\": null, \"role\": \"viewer\"}"), "name");
        assertViolation(api.put("/v1/members/alice", key, "{\"role\": null}"), "role");
        assertViolation(api.post("/v1/tenants", OPERATOR_KEY, "{\"name\": null}"), "name");
        assertViolation(api.post("/v1/meshes/shop/simulate", key, "{\"source\": null, \"host\": \"echo\"}"), "source");
        assertViolation(api.post("/v1/meshes/shop/simulate", key, "{\"source\": \"web\", \"host\": \"echo\", \"path\": \"no-slash\"}"), "path");
        assertViolation(api.post("/v1/meshes/shop/join-tokens", key, "{\"service\": null}"), "service");
        assertThat(api.get("/v1/api-keys", key).json().get("items")).hasSize(1);
    }

    @Test
    void documentAndMeshErrorsOfOneWriteComeTogether() {
        String key = newTenant();
        declareShop(key);
        Api.Response refused = api.put("/v1/meshes/shop/routes/broken", key, """
                {"service": "echo", "rules": [{"backends": [{"service": "echo", "version": "v3", "weight": 60},
                                                            {"service": "echo", "version": "v2", "weight": 40}], "timout": "2s"}]}""");
        assertViolation(refused, "rules[0].timout");
        assertThat(refused.json().get("violations").findValuesAsString("resource")).contains("routes/broken");
        assertThat(refused.json().get("violations").findValuesAsString("field")).contains("rules[0].backends[0].version");
        assertThat(api.get("/v1/meshes/shop/routes/broken", key).status()).isEqualTo(404);
        // Unknown fields whose names look like paths are refused like any other.
        for (String field : List.of("[b.c", "a[9999999999]", "[0]", "x.", ".")) {
            assertViolation(api.put("/v1/meshes/shop/routes/broken", key, "{\"service\": \"echo\", \"rules\": [{\"backends\": "
                    + "[{\"service\": \"echo\", \"version\": \"v1\", \"weight\": 100}], " + Api.JSON.writeValueAsString(field) + ": 1}]}"),
                    "rules[0]." + field);
        }
    }

    @Test
    void theNulCharacterIsRefusedInEveryStringWithItsPath() {
        String key = newTenant();
        declareShop(key);
        assertViolation(api.post("/v1/api-keys", key, "{\"name\": \"a\\u0000b\", \"role\": \"viewer\"}"), "name");
        assertViolation(api.put("/v1/meshes/shop/services/echo", key,
                "{\"port\": 8080, \"versions\": [{\"name\": \"v1\"}, {\"name\": \"v\\u0000\"}]}"), "versions[1].name");
        assertViolation(api.put("/v1/meshes/shop/services/echo", key, "{\"port\": 8080, \"x\\u0000\": 1}"), "");
        assertViolation(api.put("/v1/meshes/shop/services/echo", key, "{\"port\": 8080, \"protocol\": \"\\ud800\"}"), "protocol");
        assertViolation(api.post("/v1/tenants", OPERATOR_KEY, "{\"name\": \"\\u0000\"}"), "name");
        assertThat(api.get("/v1/meshes/shop/services/echo", key).json().get("versions")).hasSize(2);
    }

    @Test
    void cursorsThatAreNoKeyAre400() {
        String key = newTenant();
        for (String cursor : List.of("AAAA", "AA", "_w", "wA", "A".repeat(400), "YWJj%00")) {
            assertProblem(api.get("/v1/meshes?cursor=" + cursor, key), 400, 400);
            assertProblem(api.get("/v1/audit-events?cursor=" + cursor, key), 400, 400);
            assertProblem(api.get("/v1/api-keys?cursor=" + cursor, key), 400, 400);
        }
        // A cursor of a real key, but not an audit event id.
        assertProblem(api.get("/v1/audit-events?cursor=c2hvcA", key), 400, 400);
    }

    @Test
    void aBodyWithoutContentTypeIs415() {
        String key = newTenant();
        assertProblem(api.sendRaw("PUT", "/v1/meshes/shop", "{}".getBytes(StandardCharsets.UTF_8), "Authorization", "Bearer " + key), 415, 415);
        assertProblem(api.sendRaw("POST", "/v1/api-keys", "{\"name\": \"x\", \"role\": \"viewer\"}".getBytes(StandardCharsets.UTF_8),
                "Authorization", "Bearer " + key), 415, 415);
        assertThat(api.get("/v1/meshes/shop", key).status()).isEqualTo(404);
    }

    @Test
    void whatTheHttpServerRefusesItselfIsAProblemDocumentToo() throws Exception {
        String key = newTenant();
        for (String request : List.of(
                "GET /v1/meshes/a\\b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "GET /v1/tenant HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\nConnection: close\r\n\r\n",
                "PUT /v1/meshes/shop HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
                        + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")) {
            String answer = raw(request);
            assertThat(answer).as(answer).startsWith("HTTP/1.1 400");
            assertThat(answer).containsIgnoringCase("Content-Type: application/problem+json")
                    .contains("\"status\":400").doesNotContain("<html").doesNotContainIgnoringCase("tomcat");
        }
        assertThat(api.get("/v1/meshes/shop", key).status()).isEqualTo(404);
    }

    private String raw(String request) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void assertViolation(Api.Response response, String field) {
        assertProblem(response, 400, 400);
        assertThat(response.json().get("violations").findValuesAsString("field")).as(response.body()).contains(field);
    }

    private static void assertProblem(Api.Response response, int lowest, int highest) {
        assertThat(response.status()).as(response.body()).isBetween(lowest, highest);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        String body = response.body();
        for (String leak : LEAKS) assertThat(body).as("no internals in " + body).doesNotContainIgnoringCase(leak);
        assertThat(response.json().get("status").asInt()).isEqualTo(response.status());
    }
}
