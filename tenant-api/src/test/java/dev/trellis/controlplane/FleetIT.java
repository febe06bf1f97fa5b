package dev.trellis.controlplane;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proxies against the real control plane: registration with a join token and a CSR, the proxy
 * token, long polls woken by writes (through PostgreSQL notifications), status, renewal, and the
 * walls between tenants. Polls are held 2 s here (test config) instead of 30 s.
 */
class FleetIT extends ControlPlaneIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private Api fleet;

    @BeforeEach
    void fleetClient() {
        // The fleet endpoints and the proxies list are not in openapi/trellis.yaml yet (its owner adds them): no contract check.
        fleet = new Api(port, exchange -> {
        });
    }

    @Test
    void registrationIssuesA24HourSpiffeCertificateFromTheMeshAuthority() throws Exception {
        String key = newTenant();
        declareFleetMesh(key);
        String tenantId = api.get("/v1/tenant", key).json().get("id").asString();
        ProxyKey proxyKey = ProxyKey.generate();
        Api.Response registered = fleet.post("/v1/fleet/register", null, registration(joinToken(key, "echo", "v1"), proxyKey.csr()));

        assertThat(registered.status()).isEqualTo(201);
        JsonNode body = registered.json();
        assertThat(body.get("token").asString()).startsWith("trp_");
        assertThat(body.get("identity").asString()).isEqualTo("spiffe://" + tenantId + ".trellis/mesh/shop/service/echo");
        List<X509Certificate> chain = ProxyKey.certificates(body.get("certificateChain").asString());
        X509Certificate root = ProxyKey.certificates(body.get("trustBundle").asString()).getFirst();
        X509Certificate leaf = chain.getFirst();
        leaf.verify(root.getPublicKey());
        assertThat(leaf.getPublicKey()).isEqualTo(proxyKey.pair().getPublic());
        assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, body.get("identity").asString()));
        assertThat(Duration.between(Instant.now(), leaf.getNotAfter().toInstant())).isBetween(Duration.ofHours(23), Duration.ofHours(24));
        assertThat(leaf.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");

        // A second proxy of the same mesh gets a certificate from the same authority.
        JsonNode second = register(key, "web", "v1");
        assertThat(ProxyKey.certificates(second.get("trustBundle").asString()).getFirst()).isEqualTo(root);
    }

    @Test
    void joinTokensAreSpentOnceExpireAndMustBeGenuine() throws Exception {
        String key = newTenant();
        declareFleetMesh(key);
        String token = joinToken(key, "echo", "v1");
        String csr = ProxyKey.generate().csr();
        assertThat(fleet.post("/v1/fleet/register", null, registration(token, csr)).status()).isEqualTo(201);
        assertThat(fleet.post("/v1/fleet/register", null, registration(token, csr)).status()).isEqualTo(401);

        String shortLived = api.post("/v1/meshes/shop/join-tokens", key, "{\"service\": \"echo\", \"ttl\": \"1s\"}")
                .json().get("token").asString();
        Thread.sleep(1200);
        assertThat(fleet.post("/v1/fleet/register", null, registration(shortLived, csr)).status()).isEqualTo(401);

        String forged = token.substring(0, token.lastIndexOf('_') + 1) + "A".repeat(43);
        assertThat(fleet.post("/v1/fleet/register", null, registration(forged, csr)).status()).isEqualTo(401);
        assertThat(fleet.post("/v1/fleet/register", null, registration("trj_nosuchtoken1_x", csr)).status()).isEqualTo(401);
        // An API key is not a join token.
        assertThat(fleet.post("/v1/fleet/register", null, registration(key, csr)).status()).isEqualTo(401);

        Api.Response invalid = fleet.post("/v1/fleet/register", null, "{\"csr\": \"not a csr\", \"extra\": 1}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.body()).contains("joinToken").contains("extra").doesNotContain("Exception");
        Api.Response badCsr = fleet.post("/v1/fleet/register", null, registration(joinToken(key, "echo", "v1"), "not a csr"));
        assertThat(badCsr.status()).isEqualTo(400);
        assertThat(badCsr.body()).contains("csr");
    }

    @Test
    void longPollAnswersAtOnceWhenBehindAndHoldsUntil304WhenCurrent() throws Exception {
        String key = newTenant();
        declareFleetMesh(key);
        String token = register(key, "web", "v1").get("token").asString();

        HttpResponse<byte[]> first = poll(token, null).get(5, TimeUnit.SECONDS);
        assertThat(first.statusCode()).isEqualTo(200);
        String version = etag(first);
        assertThat(api.get("/v1/meshes/shop/snapshots/web", key).bytes()).isEqualTo(first.body());

        long start = System.nanoTime();
        HttpResponse<byte[]> held = poll(token, version).get(10, TimeUnit.SECONDS);
        assertThat(held.statusCode()).isEqualTo(304);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    }

    @Test
    void aWriteWakesOnlyThePollsWhoseSnapshotChanged() throws Exception {
        String key = newTenant();
        declareFleetMesh(key);
        String web = register(key, "web", "v1").get("token").asString();
        String echo = register(key, "echo", "v1").get("token").asString();
        String webVersion = etag(poll(web, null).get(5, TimeUnit.SECONDS));
        String echoVersion = etag(poll(echo, null).get(5, TimeUnit.SECONDS));

        CompletableFuture<HttpResponse<byte[]>> webPoll = poll(web, webVersion);
        CompletableFuture<HttpResponse<byte[]>> echoPoll = poll(echo, echoVersion);
        Thread.sleep(300);
        long written = System.nanoTime();
        assertThat(api.put("/v1/meshes/shop/routes/echo-canary", key, canary(0, 100)).status()).isEqualTo(200);

        HttpResponse<byte[]> woken = webPoll.get(5, TimeUnit.SECONDS);
        Duration propagation = Duration.ofNanos(System.nanoTime() - written);
        assertThat(woken.statusCode()).isEqualTo(200);
        assertThat(etag(woken)).isNotEqualTo(webVersion);
        assertThat(new String(woken.body())).contains("\"weight\":100");
        assertThat(propagation).isLessThan(Duration.ofSeconds(1));
        // echo's own snapshot does not hold its callers' routes: its poll runs out unchanged.
        assertThat(api.get("/v1/meshes/shop/snapshots/echo", key).header("ETag")).isEqualTo("\"" + echoVersion + "\"");
        assertThat(echoPoll.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(304);
    }

    @Test
    void registeredEndpointsReachCallersSnapshotsAndLeaveOnShutdownOrSilence() throws Exception {
        String key = newTenant();
        declareFleetMesh(key);
        String web = register(key, "web", "v1").get("token").asString();
        String echo = register(key, "echo", "v1").get("token").asString();
        String before = etag(poll(web, null).get(5, TimeUnit.SECONDS));

        CompletableFuture<HttpResponse<byte[]>> held = poll(web, before);
        Thread.sleep(200);
        assertThat(fleet.post("/v1/fleet/endpoints", echo, "{\"address\": \"127.0.0.1\", \"port\": 19999}").status()).isEqualTo(204);
        HttpResponse<byte[]> woken = held.get(5, TimeUnit.SECONDS);
        assertThat(woken.statusCode()).isEqualTo(200);
        assertThat(new String(woken.body())).contains("{\"address\":\"127.0.0.1\",\"port\":19999}");
        // The same endpoint again is a heartbeat: nothing recompiled, nobody woken.
        assertThat(fleet.post("/v1/fleet/endpoints", echo, "{\"address\": \"127.0.0.1\", \"port\": 19999}").status()).isEqualTo(204);
        assertThat(api.get("/v1/meshes/shop/snapshots/web", key).header("ETag")).isEqualTo("\"" + etag(woken) + "\"");

        assertThat(fleet.delete("/v1/fleet/endpoints", echo).status()).isEqualTo(204);
        assertThat(api.get("/v1/meshes/shop/snapshots/web", key).body()).doesNotContain("19999").contains("18081");

        // Registered again, then silent: the sweeper removes it after the TTL (3 s in tests).
        assertThat(fleet.post("/v1/fleet/endpoints", echo, "{\"address\": \"127.0.0.1\", \"port\": 19998}").status()).isEqualTo(204);
        assertThat(api.get("/v1/meshes/shop/snapshots/web", key).body()).contains("19998");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (api.get("/v1/meshes/shop/snapshots/web", key).body().contains("19998")) {
            assertThat(System.nanoTime()).as("endpoint still present after 10 s").isLessThan(deadline);
            Thread.sleep(200);
        }

        Api.Response invalid = fleet.post("/v1/fleet/endpoints", echo, "{\"address\": \"\", \"port\": 70000}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.body()).contains("address").contains("port");
    }

    @Test
    void aSilentProxyIsListedStaleAndAnEditorRevokesItsTokenAndEndpoint() throws Exception {
        String key = newTenant();
        declareFleetMesh(key);
        JsonNode echo = register(key, "echo", "v1");
        String id = echo.get("proxyId").asString(), token = echo.get("token").asString();
        assertThat(offer(token, 19997)).isEqualTo(204);
        JsonNode active = fleet.get("/v1/meshes/shop/proxies", key).json().get("items").get(0);
        assertThat(active.get("state").asString()).isEqualTo("ACTIVE");
        assertThat(active.get("endpoint").get("port").asInt()).isEqualTo(19997);

        // Silent for longer than the TTL (3 s in tests): listed as stale, its endpoint swept.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (JsonNode listed = active; !listed.get("state").asString().equals("STALE") || !listed.get("endpoint").isNull();
             listed = fleet.get("/v1/meshes/shop/proxies", key).json().get("items").get(0)) {
            assertThat(System.nanoTime()).as("still active after 10 s: " + listed).isLessThan(deadline);
            Thread.sleep(200);
        }

        // It comes back, then an editor revokes it: endpoint gone at once, token refused everywhere.
        assertThat(offer(token, 19997)).isEqualTo(204);
        assertThat(api.get("/v1/meshes/shop/snapshots/web", key).body()).contains("19997");
        assertThat(api.delete("/v1/meshes/shop/proxies/" + id, newKey(key, "viewer")).status()).isEqualTo(403);
        assertThat(api.delete("/v1/meshes/shop/proxies/" + id, newTenant()).status()).isEqualTo(404);
        assertThat(api.delete("/v1/meshes/shop/proxies/" + id, newKey(key, "editor")).status()).isEqualTo(204);
        assertThat(api.get("/v1/meshes/shop/snapshots/web", key).body()).doesNotContain("19997");
        assertThat(poll(token, null).get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
        assertThat(fleet.post("/v1/fleet/certificates", token, "{\"csr\": " + Api.JSON.writeValueAsString(ProxyKey.generate().csr()) + "}")
                .status()).isEqualTo(401);
        assertThat(offer(token, 19997)).isEqualTo(401);
        assertThat(api.get("/v1/meshes/shop/snapshots/web", key).body()).doesNotContain("19997");
        assertThat(fleet.get("/v1/meshes/shop/proxies", key).json().get("items")).isEmpty();
        assertThat(api.delete("/v1/meshes/shop/proxies/" + id, key).status()).isEqualTo(404);
        assertThat(api.get("/v1/audit-events", key).body()).contains("proxy.delete");
    }

    private int offer(String token, int port) {
        return fleet.post("/v1/fleet/endpoints", token, "{\"address\": \"127.0.0.1\", \"port\": " + port + "}").status();
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void endpointOffersMustBeAddressesThisProxyIsPlausiblyReachableAt() throws Exception {
        String key = newTenant();
        declareFleetMesh(key);
        String echo = register(key, "echo", "v1").get("token").asString();
        for (String hostile : List.of("1.2.3.4\r\nX-Injected: 1", "a b", "http://x/", "169.254.169.254", "256.256.256.256",
                "\uD83D\uDE00", "metadata.google.internal", "fe80::1", "echo.internal", "0.0.0.0")) {
            Api.Response refused = fleet.post("/v1/fleet/endpoints", echo,
                    "{\"address\": " + Api.JSON.writeValueAsString(hostile) + ", \"port\": 15006}");
            assertThat(refused.status()).as(hostile).isEqualTo(400);
            assertThat(refused.json().get("violations").get(0).get("field").asString()).isEqualTo("address");
        }
        assertThat(api.get("/v1/meshes/shop/snapshots/web", key).body()).doesNotContain("15006");

        // From a non-loopback address of this host, the rule for remote proxies applies.
        java.net.InetAddress local = nonLoopbackAddress();
        org.junit.jupiter.api.Assumptions.assumeTrue(local != null, "this host has no non-loopback address");
        String remote = "http://" + local.getHostAddress() + ":" + port;
        String self = local.getHostAddress();
        assertThat(offerFrom(remote, echo, "127.0.0.1", 15006)).isEqualTo(400);
        assertThat(offerFrom(remote, echo, "198.51.100.7", 15006)).isEqualTo(self.equals("198.51.100.7") ? 204 : 400);
        assertThat(offerFrom(remote, echo, "10.9.8.7", 15006)).isEqualTo(204);
        assertThat(offerFrom(remote, echo, self, 15007)).isEqualTo(204);
        assertThat(api.get("/v1/meshes/shop/snapshots/web", key).body()).contains("15007");
    }

    /** Offers an endpoint through {@code base}, so the request's source address is the one the client connects from. */
    private static int offerFrom(String base, String token, String address, int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/fleet/endpoints"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"address\": " + Api.JSON.writeValueAsString(address)
                        + ", \"port\": " + port + "}")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static java.net.InetAddress nonLoopbackAddress() throws java.net.SocketException {
        for (java.net.NetworkInterface nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) continue;
            for (java.net.InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
                if (a instanceof java.net.Inet4Address && !a.isLinkLocalAddress()) return a;
            }
        }
        return null;
    }

    @Test
    void statusReportsAreListedWithTheFleet() throws Exception {
        String key = newTenant();
        declareFleetMesh(key);
        JsonNode proxy = register(key, "echo", "v2");
        String token = proxy.get("token").asString();
        String version = etag(poll(token, null).get(5, TimeUnit.SECONDS));

        assertThat(fleet.post("/v1/fleet/status", token, "{\"version\": \"" + version + "\", \"result\": \"applied\"}").status()).isEqualTo(204);
        assertThat(fleet.post("/v1/fleet/status", token,
                "{\"version\": \"sha256:bad\", \"result\": \"rejected\", \"reason\": \"cluster echo/v3 is missing\"}").status()).isEqualTo(204);
        Api.Response invalid = fleet.post("/v1/fleet/status", token, "{\"result\": \"maybe\"}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.body()).contains("version").contains("result");

        JsonNode listed = fleet.get("/v1/meshes/shop/proxies", newKey(key, "viewer")).json().get("items").get(0);
        assertThat(listed.get("id").asString()).isEqualTo(proxy.get("proxyId").asString());
        assertThat(listed.get("service").asString()).isEqualTo("echo");
        assertThat(listed.get("version").asString()).isEqualTo("v2");
        assertThat(listed.get("appliedVersion").asString()).isEqualTo(version);
        assertThat(listed.get("rejectedVersion").asString()).isEqualTo("sha256:bad");
        assertThat(listed.get("rejectionReason").asString()).isEqualTo("cluster echo/v3 is missing");
        assertThat(Instant.parse(listed.get("lastSeen").asString())).isAfter(Instant.now().minusSeconds(60));
    }

    @Test
    void concurrentStatusReportsOfTwoTenantsAreEachRecordedForTheirOwnProxy() throws Exception {
        // Reports arriving together share transactions (group commit): each must still land on its own row, in its own tenant.
        List<String> keys = List.of(newTenant(), newTenant());
        List<String[]> reporters = new java.util.ArrayList<>();
        for (String key : keys) {
            declareFleetMesh(key);
            for (int i = 0; i < 6; i++) {
                JsonNode proxy = register(key, "echo", "v1");
                reporters.add(new String[]{key, proxy.get("proxyId").asString(), proxy.get("token").asString()});
            }
        }
        List<CompletableFuture<HttpResponse<Void>>> sent = reporters.stream().map(r -> HTTP.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/fleet/status")).header("Authorization", "Bearer " + r[2])
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"version\": \"sha256:" + r[1] + "\", \"result\": \"applied\"}")).build(),
                HttpResponse.BodyHandlers.discarding())).toList();
        for (CompletableFuture<HttpResponse<Void>> answer : sent) assertThat(answer.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(204);

        for (String key : keys) {
            List<JsonNode> listed = fleet.get("/v1/meshes/shop/proxies", key).json().get("items").valueStream().toList();
            assertThat(listed).hasSize(6);
            for (JsonNode proxy : listed) {
                assertThat(proxy.get("appliedVersion").asString()).isEqualTo("sha256:" + proxy.get("id").asString());
            }
        }
    }

    @Test
    void renewalIssuesACertificateForANewKeyAndTheTokenFollowsIt() throws Exception {
        String key = newTenant();
        declareFleetMesh(key);
        JsonNode proxy = register(key, "echo", "v1");
        String token = proxy.get("token").asString();
        ProxyKey next = ProxyKey.generate();

        Api.Response renewed = fleet.post("/v1/fleet/certificates", token, "{\"csr\": " + Api.JSON.writeValueAsString(next.csr()) + "}");
        assertThat(renewed.status()).isEqualTo(200);
        X509Certificate leaf = ProxyKey.certificates(renewed.json().get("certificateChain").asString()).getFirst();
        assertThat(leaf.getPublicKey()).isEqualTo(next.pair().getPublic());
        leaf.verify(ProxyKey.certificates(proxy.get("trustBundle").asString()).getFirst().getPublicKey());
        assertThat(poll(token, null).get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(fleet.post("/v1/fleet/certificates", null, "{\"csr\": \"x\"}").status()).isEqualTo(401);
    }

    @Test
    void aProxyReadsOnlyItsOwnTenantsSnapshotAndPeopleReadNoneThroughTheFleet() throws Exception {
        String a = newTenant();
        String b = newTenant();
        declareFleetMesh(a);
        declareFleetMesh(b);
        String tenantB = api.get("/v1/tenant", b).json().get("id").asString();
        String proxyOfB = register(b, "web", "v1").get("token").asString();

        HttpResponse<byte[]> snapshot = poll(proxyOfB, null).get(5, TimeUnit.SECONDS);
        assertThat(Api.JSON.readTree(snapshot.body()).get("tenant").asString()).isEqualTo(tenantB);
        assertThat(snapshot.body()).isEqualTo(api.get("/v1/meshes/shop/snapshots/web", b).bytes());
        // A proxy token opens nothing of the API, and no person's key opens the fleet.
        assertThat(fleet.get("/v1/meshes/shop/snapshots/web", proxyOfB).status()).isEqualTo(401);
        assertThat(poll(a, null).get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
        assertThat(poll(OPERATOR_KEY, null).get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
        String forged = proxyOfB.substring(0, proxyOfB.lastIndexOf('_') + 1) + "A".repeat(43);
        assertThat(poll(forged, null).get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
        // B's fleet is not visible to A.
        assertThat(fleet.get("/v1/meshes/shop/proxies", a).json().get("items")).isEmpty();
    }

    private void declareFleetMesh(String key) {
        assertThat(api.put("/v1/meshes/shop", key, "{\"mtls\": \"PERMISSIVE\"}").status()).isEqualTo(201);
        assertThat(api.put("/v1/meshes/shop/services/echo", key, """
                {"protocol": "http", "port": 8080, "versions": [{"name": "v1"}, {"name": "v2"}], "dependsOn": [],
                 "endpoints": [{"address": "127.0.0.1", "port": 18081, "version": "v1"},
                               {"address": "127.0.0.1", "port": 18082, "version": "v2"}]}""").status()).isEqualTo(201);
        assertThat(api.put("/v1/meshes/shop/services/web", key,
                "{\"protocol\": \"http\", \"port\": 8080, \"versions\": [{\"name\": \"v1\"}], \"dependsOn\": [\"echo\"]}").status()).isEqualTo(201);
        assertThat(api.put("/v1/meshes/shop/routes/echo-canary", key, canary(90, 10)).status()).isEqualTo(201);
    }

    private String joinToken(String key, String service, String version) {
        Api.Response minted = api.post("/v1/meshes/shop/join-tokens", key,
                "{\"service\": \"" + service + "\", \"version\": \"" + version + "\"}");
        assertThat(minted.status()).isEqualTo(201);
        return minted.json().get("token").asString();
    }

    private JsonNode register(String key, String service, String version) throws Exception {
        Api.Response registered = fleet.post("/v1/fleet/register", null,
                registration(joinToken(key, service, version), ProxyKey.generate().csr()));
        assertThat(registered.status()).isEqualTo(201);
        return registered.json();
    }

    private static String registration(String joinToken, String csr) {
        return "{\"joinToken\": " + Api.JSON.writeValueAsString(joinToken) + ", \"csr\": " + Api.JSON.writeValueAsString(csr) + "}";
    }

    private CompletableFuture<HttpResponse<byte[]>> poll(String token, String version) {
        String query = version == null ? "" : "?version=" + version;
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/fleet/config" + query))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String etag(HttpResponse<?> response) {
        return response.headers().firstValue("ETag").orElseThrow().replace("\"", "");
    }
}
