package dev.trellis.controlplane;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Tenant B's credential on every endpoint, aimed at tenant A's resources: 404, and A's data unchanged. */
class TenantIsolationIT extends ControlPlaneIT {

    @Test
    void anotherTenantsResourcesAreNotFoundAndUntouched() {
        String a = newTenant();
        String b = newTenant();
        declareShop(a);
        api.put("/v1/meshes/shop/policies/web-to-echo", a, """
                {"kind": "ACCESS", "target": {"service": "echo"},
                 "spec": {"allow": [{"from": {"service": "web"}, "methods": ["GET"]}]}}""");
        String aKeyId = api.get("/v1/api-keys", a).json().get("items").get(0).get("id").asString();
        api.put("/v1/members/alice", a, "{\"role\": \"viewer\"}");
        String before = stateOf(a);

        record Call(String method, String path, String body) {
        }
        List<Call> calls = List.of(
                new Call("GET", "/v1/meshes/shop", null),
                new Call("DELETE", "/v1/meshes/shop", null),
                new Call("GET", "/v1/meshes/shop/services", null),
                new Call("GET", "/v1/meshes/shop/routes", null),
                new Call("GET", "/v1/meshes/shop/policies", null),
                new Call("GET", "/v1/meshes/shop/proxies", null),
                new Call("PUT", "/v1/meshes/shop/policies/web-to-echo", "{\"kind\": \"ACCESS\", \"target\": {\"service\": \"echo\"}, \"spec\": {\"allow\": []}}"),
                new Call("GET", "/v1/meshes/shop/services/echo", null),
                new Call("PUT", "/v1/meshes/shop/services/echo", "{\"port\": 9999}"),
                new Call("DELETE", "/v1/meshes/shop/services/web", null),
                new Call("GET", "/v1/meshes/shop/routes/echo-canary", null),
                new Call("PUT", "/v1/meshes/shop/routes/echo-canary", canary(0, 100)),
                new Call("DELETE", "/v1/meshes/shop/routes/echo-canary", null),
                new Call("GET", "/v1/meshes/shop/policies/web-to-echo", null),
                new Call("DELETE", "/v1/meshes/shop/policies/web-to-echo", null),
                new Call("GET", "/v1/meshes/shop/snapshots/echo", null),
                new Call("GET", "/v1/meshes/shop/analysis", null),
                new Call("POST", "/v1/meshes/shop/simulate", "{\"source\": \"web\", \"host\": \"echo\"}"),
                new Call("POST", "/v1/meshes/shop/join-tokens", "{\"service\": \"echo\"}"),
                new Call("GET", "/v1/api-keys/" + aKeyId, null),
                new Call("DELETE", "/v1/api-keys/" + aKeyId, null),
                new Call("GET", "/v1/members/alice", null),
                new Call("DELETE", "/v1/members/alice", null));
        for (Call call : calls) {
            Api.Response response = api.send(call.method(), call.path(), b, call.body());
            assertThat(response.status()).as(call.method() + " " + call.path()).isEqualTo(404);
        }
        // Lists show B only its own (empty) world.
        assertThat(api.get("/v1/meshes", b).json().get("items")).isEmpty();
        assertThat(api.get("/v1/audit-events", b).json().get("items")).hasSize(1);
        assertThat(api.get("/v1/members", b).json().get("items")).isEmpty();
        assertThat(api.get("/v1/api-keys", b).json().get("items")).hasSize(1);
        assertThat(api.get("/v1/tenant", b).json().get("id").asString())
                .isNotEqualTo(api.get("/v1/tenant", a).json().get("id").asString());
        // B may declare its own mesh of the same name without touching A's.
        assertThat(api.put("/v1/meshes/shop", b, "{\"mtls\": \"DISABLED\"}").status()).isEqualTo(201);
        assertThat(stateOf(a)).isEqualTo(before);
    }

    /** Everything tenant A can observe, to compare before and after B's attempts. */
    private String stateOf(String key) {
        StringBuilder state = new StringBuilder();
        for (String path : List.of("/v1/meshes", "/v1/meshes/shop/services", "/v1/meshes/shop/routes",
                "/v1/meshes/shop/policies", "/v1/meshes/shop/snapshots/echo", "/v1/meshes/shop/snapshots/web",
                "/v1/api-keys", "/v1/members", "/v1/audit-events?limit=500")) {
            state.append(api.get(path, key).body()).append('\n');
        }
        return state.toString();
    }
}
