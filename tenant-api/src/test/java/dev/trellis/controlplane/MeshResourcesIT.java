package dev.trellis.controlplane;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Declarative writes: PUT semantics, ETag / If-Match, pagination, dry runs, compile errors, snapshots. */
class MeshResourcesIT extends ControlPlaneIT {

    @Test
    void putCreatesThenReplacesAndIsIdempotent() {
        String key = newTenant();
        declareShop(key);
        Api.Response same = api.put("/v1/meshes/shop/routes/echo-canary", key, canary(90, 10));
        assertThat(same.status()).isEqualTo(200);
        assertThat(same.json().get("resourceVersion").asString()).isEqualTo("1");
        assertThat(same.header("ETag")).isEqualTo("\"1\"");
        Api.Response changed = api.put("/v1/meshes/shop/routes/echo-canary", key, canary(80, 20));
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.json().get("resourceVersion").asString()).isEqualTo("2");
        JsonNode read = api.get("/v1/meshes/shop/routes/echo-canary", key).json();
        assertThat(read.at("/rules/0/backends/1/weight").asInt()).isEqualTo(20);
        assertThat(read.get("name").asString()).isEqualTo("echo-canary");
        assertThat(read.get("createdAt").asString()).isEqualTo(changed.json().get("createdAt").asString());
    }

    @Test
    void aStaleIfMatchIsRefusedAndTheOtherWriteSurvives() {
        String key = newTenant();
        declareShop(key);
        String etag = api.get("/v1/meshes/shop/routes/echo-canary", key).header("ETag");
        assertThat(api.put("/v1/meshes/shop/routes/echo-canary", key, canary(70, 30), "If-Match", etag).status()).isEqualTo(200);
        Api.Response stale = api.put("/v1/meshes/shop/routes/echo-canary", key, canary(10, 90), "If-Match", etag);
        assertThat(stale.status()).isEqualTo(412);
        assertThat(api.get("/v1/meshes/shop/routes/echo-canary", key).json().at("/rules/0/backends/0/weight").asInt()).isEqualTo(70);
        assertThat(api.delete("/v1/meshes/shop/routes/echo-canary", key, "If-Match", etag).status()).isEqualTo(412);
        // A resourceVersion sent back in the body is a precondition too.
        String readBack = api.get("/v1/meshes/shop/services/web", key).body().replace("\"resourceVersion\":\"1\"", "\"resourceVersion\":\"7\"");
        assertThat(api.put("/v1/meshes/shop/services/web", key, readBack).status()).isEqualTo(412);
    }

    @Test
    void ifNoneMatchStarCreatesButNeverOverwrites() {
        String key = newTenant();
        declareShop(key);
        String before = api.get("/v1/meshes/shop/services/web", key).body();
        Api.Response refused = api.put("/v1/meshes/shop/services/web", key, "{\"port\": 9090}", "If-None-Match", "*");
        assertThat(refused.status()).isEqualTo(412);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(refused.json().get("title").asString()).isEqualTo("Resource already exists");
        assertThat(refused.json().get("detail").asString()).contains("meshes/shop/services/web");
        assertThat(api.get("/v1/meshes/shop/services/web", key).body()).isEqualTo(before);
        // Sending the stored document again changes nothing, but is still not a creation.
        assertThat(api.put("/v1/meshes/shop", key, "{\"mtls\": \"PERMISSIVE\"}", "If-None-Match", "*").status()).isEqualTo(412);
        // What does not exist yet is created.
        Api.Response created = api.put("/v1/meshes/shop/services/db", key, "{\"port\": 5432}", "If-None-Match", "*");
        assertThat(created.status()).isEqualTo(201);
        assertThat(api.put("/v1/meshes/other", key, "{}", "If-None-Match", "*").status()).isEqualTo(201);
        // An entity tag list fails only when it names the current version.
        assertThat(api.put("/v1/meshes/shop/services/db", key, "{\"port\": 5433}", "If-None-Match", "\"1\"").status()).isEqualTo(412);
        assertThat(api.put("/v1/meshes/shop/services/db", key, "{\"port\": 5433}", "If-None-Match", "\"9\"").status()).isEqualTo(200);
    }

    @Test
    void ofTwoConcurrentWritersWithTheSameIfMatchExactlyOneWins() throws Exception {
        String key = newTenant();
        declareShop(key);
        String etag = api.get("/v1/meshes/shop/routes/echo-canary", key).header("ETag");
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            var first = pool.submit(() -> api.put("/v1/meshes/shop/routes/echo-canary", key, canary(60, 40), "If-Match", etag).status());
            var second = pool.submit(() -> api.put("/v1/meshes/shop/routes/echo-canary", key, canary(30, 70), "If-Match", etag).status());
            assertThat(List.of(first.get(), second.get())).containsExactlyInAnyOrder(200, 412);
            int winner = first.get() == 200 ? 60 : 30;
            JsonNode stored = api.get("/v1/meshes/shop/routes/echo-canary", key).json();
            assertThat(stored.at("/rules/0/backends/0/weight").asInt()).isEqualTo(winner);
            assertThat(stored.get("resourceVersion").asString()).isEqualTo("2");
        }
    }

    @Test
    void listsPaginateWithACursor() {
        String key = newTenant();
        api.put("/v1/meshes/big", key, "{}");
        for (int i = 0; i < 5; i++) {
            assertThat(api.put("/v1/meshes/big/services/s" + i, key, "{\"port\": 80" + i + "}").status()).isEqualTo(201);
        }
        List<String> names = new ArrayList<>();
        String cursor = "";
        int pages = 0;
        do {
            JsonNode page = api.get("/v1/meshes/big/services?limit=2" + (cursor.isEmpty() ? "" : "&cursor=" + cursor), key).json();
            page.get("items").forEach(item -> names.add(item.get("name").asString()));
            cursor = page.get("nextCursor").isNull() ? "" : page.get("nextCursor").asString();
            pages++;
        } while (!cursor.isEmpty());
        assertThat(names).containsExactly("s0", "s1", "s2", "s3", "s4");
        assertThat(pages).isEqualTo(3);
        assertThat(api.get("/v1/meshes/big/services?limit=0", key).status()).isEqualTo(400);
        assertThat(api.get("/v1/meshes/big/services?cursor=!!!", key).status()).isEqualTo(400);
    }

    @Test
    void aDryRunStoresNothingAndReportsTheSnapshotDiff() {
        String key = newTenant();
        declareShop(key);
        String webSnapshot = api.get("/v1/meshes/shop/snapshots/web", key).body();
        int events = api.get("/v1/audit-events?limit=500", key).json().get("items").size();
        Api.Response dry = api.put("/v1/meshes/shop/routes/echo-canary?dryRun=true", key, canary(50, 50));
        assertThat(dry.status()).isEqualTo(200);
        assertThat(dry.json().get("valid").asBoolean()).isTrue();
        assertThat(dry.json().get("changes").toString()).contains("CHANGED");
        Api.Response dryNew = api.put("/v1/meshes/shop/services/db?dryRun=true", key, "{\"port\": 5432}");
        assertThat(dryNew.json().get("valid").asBoolean()).isTrue();
        Api.Response dryBad = api.put("/v1/meshes/shop/routes/x?dryRun=true", key, "{\"service\": \"echo\", \"rules\": [], \"bogus\": 1}");
        assertThat(dryBad.json().get("valid").asBoolean()).isFalse();
        assertThat(dryBad.json().get("violations").toString()).contains("bogus");
        assertThat(api.delete("/v1/meshes/shop/routes/echo-canary?dryRun=true", key).status()).isEqualTo(200);

        assertThat(api.get("/v1/meshes/shop/services/db", key).status()).isEqualTo(404);
        assertThat(api.get("/v1/meshes/shop/routes/echo-canary", key).json().get("resourceVersion").asString()).isEqualTo("1");
        assertThat(api.get("/v1/meshes/shop/snapshots/web", key).body()).isEqualTo(webSnapshot);
        assertThat(api.get("/v1/audit-events?limit=500", key).json().get("items").size()).isEqualTo(events);
    }

    @Test
    void aWriteThatBreaksTheMeshIsRefusedWithEveryViolation() {
        String key = newTenant();
        declareShop(key);
        String bad = """
                {"service": "echo", "rules": [{"backends": [{"service": "echo", "version": "v9", "weight": 50},
                                                            {"service": "ghost", "weight": 50}]}]}""";
        Api.Response refused = api.put("/v1/meshes/shop/routes/broken", key, bad);
        assertThat(refused.status()).isEqualTo(400);
        JsonNode violations = refused.json().get("violations");
        assertThat(violations.size()).isGreaterThanOrEqualTo(2);
        assertThat(violations.toString()).contains("routes/broken").contains("rules[0].backends[0].version").contains("rules[0].backends[1]");
        assertThat(api.get("/v1/meshes/shop/routes/broken", key).status()).isEqualTo(404);

        Api.Response invalid = api.put("/v1/meshes/shop/routes/broken", key,
                "{\"service\": \"echo\", \"rules\": [{\"backends\": [{\"service\": \"echo\", \"weight\": 150}], \"timeout\": \"soon\"}]}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().get("violations").toString()).contains("rules[0].backends[0].weight").contains("rules[0].timeout");
    }

    @Test
    void analysisWarningsComeBackWithTheWriteThatCausesThem() {
        String key = newTenant();
        api.put("/v1/meshes/shop", key, "{}");
        api.put("/v1/meshes/shop/services/echo", key, """
                {"port": 8080, "versions": [{"name": "v1"}, {"name": "v2"}],
                 "endpoints": [{"address": "10.0.0.7", "port": 8080, "version": "v1"}]}""");
        Api.Response route = api.put("/v1/meshes/shop/routes/echo-canary", key, canary(90, 10));
        assertThat(route.status()).isEqualTo(201);
        assertThat(route.headers().allValues("Trellis-Warning")).anyMatch(w -> w.startsWith("VERSION_WITHOUT_ENDPOINTS: "));
        assertThat(api.get("/v1/meshes/shop/analysis", key).json().get("warnings").toString()).contains("VERSION_WITHOUT_ENDPOINTS");
    }

    @Test
    void aServiceStillRoutedToCannotBeDeleted() {
        String key = newTenant();
        declareShop(key);
        Api.Response refused = api.delete("/v1/meshes/shop/services/echo", key);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("detail").asString()).contains("routes/echo-canary");
        assertThat(api.get("/v1/meshes/shop/services/echo", key).status()).isEqualTo(200);
        assertThat(api.delete("/v1/meshes/shop", key).status()).isEqualTo(409);

        assertThat(api.delete("/v1/meshes/shop/routes/echo-canary", key).status()).isEqualTo(204);
        assertThat(api.delete("/v1/meshes/shop/services/echo", key).status()).isEqualTo(204);
        assertThat(api.get("/v1/meshes/shop/snapshots/echo", key).status()).isEqualTo(404);
    }

    @Test
    void snapshotsAreServedByteForByteWithTheirVersion() throws Exception {
        String key = newTenant();
        declareShop(key);
        Api.Response snapshot = api.get("/v1/meshes/shop/snapshots/web", key);
        assertThat(snapshot.status()).isEqualTo(200);
        JsonNode json = snapshot.json();
        assertThat(snapshot.header("ETag")).isEqualTo("\"" + json.get("version").asString() + "\"");
        assertThat(json.toString()).contains("echo/v1").contains("echo/v2");
        // The served bytes are the canonical form: parsing and writing them again gives the same bytes.
        byte[] canonical = dev.trellis.compiler.snapshot.SnapshotJson.write(dev.trellis.compiler.snapshot.SnapshotJson.read(snapshot.bytes()));
        assertThat(MessageDigest.isEqual(canonical, snapshot.bytes())).isTrue();

        String analysis = api.get("/v1/meshes/shop/analysis", key).body();
        assertThat(analysis).contains(json.get("version").asString());
        JsonNode simulated = api.post("/v1/meshes/shop/simulate", key,
                "{\"source\": \"web\", \"host\": \"echo\", \"method\": \"GET\", \"path\": \"/hello\"}").json();
        assertThat(simulated.get("destination").asString()).isEqualTo("echo");
        assertThat(simulated.get("backends").toString()).contains("echo/v1").contains("90");
    }

    @Test
    void joinTokensAreMintedForKnownServices() {
        String key = newTenant();
        declareShop(key);
        Api.Response token = api.post("/v1/meshes/shop/join-tokens", key, "{\"service\": \"echo\", \"version\": \"v1\", \"ttl\": \"10m\"}");
        assertThat(token.status()).isEqualTo(201);
        assertThat(token.json().get("token").asString()).startsWith("trj_");
        assertThat(api.post("/v1/meshes/shop/join-tokens", key, "{\"service\": \"nope\"}").status()).isEqualTo(400);
        assertThat(api.post("/v1/meshes/shop/join-tokens", key, "{\"service\": \"echo\", \"version\": \"v7\"}").status()).isEqualTo(400);
        assertThat(api.post("/v1/meshes/shop/join-tokens", key, "{\"service\": \"echo\", \"ttl\": \"48h\"}").status()).isEqualTo(400);
    }
}
