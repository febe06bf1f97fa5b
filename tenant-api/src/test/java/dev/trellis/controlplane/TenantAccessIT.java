package dev.trellis.controlplane;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** Sign-up, API keys (shown once, revocation at once), roles, members and the audit log. */
class TenantAccessIT extends ControlPlaneIT {

    @Test
    void onlyTheOperatorCreatesTenantsAndNamesAreUnique() {
        String key = newTenant();
        assertThat(api.post("/v1/tenants", null, "{\"name\": \"x1\"}").status()).isEqualTo(401);
        assertThat(api.post("/v1/tenants", key, "{\"name\": \"x2\"}").status()).isEqualTo(403);
        assertThat(api.post("/v1/tenants", "wrong-operator-key", "{\"name\": \"x3\"}").status()).isEqualTo(401);
        String name = api.get("/v1/tenant", key).json().get("name").asString();
        Api.Response again = api.post("/v1/tenants", OPERATOR_KEY, "{\"name\": \"" + name + "\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.header("Content-Type")).startsWith("application/problem+json");
    }

    @Test
    void aKeyIsShownOnceAndARevokedKeyStopsAtOnce() {
        String owner = newTenant();
        Api.Response created = api.post("/v1/api-keys", owner, "{\"name\": \"ci\", \"role\": \"editor\"}");
        String editor = created.json().get("apiKey").asString();
        String id = created.json().get("id").asString();
        assertThat(api.get("/v1/meshes", editor).status()).isEqualTo(200);

        JsonNode listed = api.get("/v1/api-keys/" + id, owner).json();
        assertThat(listed.has("apiKey")).isFalse();
        assertThat(api.get("/v1/api-keys", owner).body()).doesNotContain(editor.substring(17));

        assertThat(api.delete("/v1/api-keys/" + id, owner).status()).isEqualTo(204);
        Api.Response refused = api.get("/v1/meshes", editor);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().get("title").asString()).isEqualTo("Unauthorized");
        assertThat(api.get("/v1/api-keys/" + id, owner).json().has("revokedAt")).isTrue();
    }

    @Test
    void aTamperedKeyIsRefused() {
        String owner = newTenant();
        String tampered = owner.substring(0, owner.length() - 2) + (owner.endsWith("AA") ? "BB" : "AA");
        assertThat(api.get("/v1/tenant", tampered).status()).isEqualTo(401);
        assertThat(api.get("/v1/tenant", "trk_short").status()).isEqualTo(401);
    }

    @Test
    void aViewerReadsButCannotWrite() {
        String owner = newTenant();
        declareShop(owner);
        String viewer = newKey(owner, "viewer");
        assertThat(api.get("/v1/meshes/shop/routes/echo-canary", viewer).status()).isEqualTo(200);
        assertThat(api.put("/v1/meshes/shop/routes/echo-canary", viewer, canary(50, 50)).status()).isEqualTo(403);
        assertThat(api.delete("/v1/meshes/shop/routes/echo-canary", viewer).status()).isEqualTo(403);
        assertThat(api.put("/v1/meshes/other", viewer, "{}").status()).isEqualTo(403);
        assertThat(api.post("/v1/meshes/shop/join-tokens", viewer, "{\"service\": \"echo\"}").status()).isEqualTo(403);
        assertThat(api.post("/v1/api-keys", viewer, "{\"name\": \"x\", \"role\": \"viewer\"}").status()).isEqualTo(403);
        assertThat(api.get("/v1/audit-events", viewer).status()).isEqualTo(403);
        assertThat(api.get("/v1/meshes/shop/routes/echo-canary", owner).json().get("resourceVersion").asString()).isEqualTo("1");
    }

    @Test
    void anAdminCannotMintOwnerKeys() {
        String owner = newTenant();
        String admin = newKey(owner, "admin");
        assertThat(api.post("/v1/api-keys", admin, "{\"name\": \"x\", \"role\": \"owner\"}").status()).isEqualTo(403);
        assertThat(api.post("/v1/api-keys", admin, "{\"name\": \"x\", \"role\": \"editor\"}").status()).isEqualTo(201);
        assertThat(api.put("/v1/members/alice", admin, "{\"role\": \"owner\"}").status()).isEqualTo(403);
    }

    @Test
    void membersHaveRoles() {
        String owner = newTenant();
        assertThat(api.put("/v1/members/alice", owner, "{\"role\": \"editor\"}").status()).isEqualTo(200);
        assertThat(api.get("/v1/members/alice", owner).json().get("role").asString()).isEqualTo("editor");
        assertThat(api.put("/v1/members/alice", owner, "{\"role\": \"boss\"}").status()).isEqualTo(400);
        assertThat(api.get("/v1/members", owner).json().get("items")).hasSize(1);
        assertThat(api.delete("/v1/members/alice", owner).status()).isEqualTo(204);
        assertThat(api.get("/v1/members/alice", owner).status()).isEqualTo(404);
    }

    @Test
    void everyAcceptedWriteLeavesAnAuditEventWithBeforeAndAfter() {
        String owner = newTenant();
        declareShop(owner);
        api.put("/v1/meshes/shop/routes/echo-canary", owner, canary(50, 50));
        JsonNode events = api.get("/v1/audit-events?limit=3", owner).json();
        JsonNode latest = events.get("items").get(0);
        assertThat(latest.get("action").asString()).isEqualTo("route.put");
        assertThat(latest.get("resource").asString()).isEqualTo("meshes/shop/routes/echo-canary");
        assertThat(latest.get("actor").asString()).startsWith("api-key:");
        assertThat(latest.at("/before/rules/0/backends/0/weight").asInt()).isEqualTo(90);
        assertThat(latest.at("/after/rules/0/backends/0/weight").asInt()).isEqualTo(50);
        assertThat(events.get("nextCursor").isNull()).isFalse();
        JsonNode next = api.get("/v1/audit-events?limit=3&cursor=" + events.get("nextCursor").asString(), owner).json();
        // Ids are UUIDs of version 7: newest first means descending as text, and the next page continues below.
        assertThat(next.get("items").get(0).get("id").asString()).isLessThan(events.get("items").get(2).get("id").asString());
        assertThat(events.get("items").findValuesAsString("id")).isSortedAccordingTo(java.util.Comparator.reverseOrder())
                .allSatisfy(id -> assertThat(java.util.UUID.fromString(id).version()).isEqualTo(7));
    }
}
