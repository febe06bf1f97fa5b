package dev.trellis.controlplane;

import dev.trellis.controlplane.database.TenantTransactions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credentials die with what they belong to (issue 11 §3): deleting a service revokes its proxies
 * (poll, status, endpoint and renewal all refused; the endpoint leaves callers' snapshots) and its
 * unused join tokens, so a service created again under the same name gets none of them back; a
 * join token can be revoked before use; the mesh's authority certifies only strong keys.
 */
@Timeout(120)
class FleetRevocationIT extends ControlPlaneIT {
    private Api fleet;
    @Autowired
    TenantTransactions transactions;
    @Autowired
    JdbcTemplate jdbc;

    @BeforeEach
    void fleetClient() {
        // Proxies' own calls (/v1/fleet/**) are checked elsewhere; people's calls here go through the contract check.
        fleet = new Api(port, exchange -> {
        });
    }

    @Test
    void deletingAServiceRevokesItsProxiesAndTheyDoNotComeBackWithANewServiceOfTheSameName() throws Exception {
        String key = newTenant();
        declareMesh(key);
        String unused = joinToken(key, "echo");
        JsonNode echo = register(key, "echo");
        String token = echo.get("token").asString();
        assertThat(fleet.post("/v1/fleet/endpoints", token, "{\"address\": \"10.9.9.9\", \"port\": 8080}").status()).isEqualTo(204);
        assertThat(api.get("/v1/meshes/shop/snapshots/web", key).body()).contains("10.9.9.9");
        assertThat(fleet.get("/v1/fleet/config", token).status()).isEqualTo(200);

        // What refers to echo goes first (web then sees every service: the mesh is PERMISSIVE).
        assertThat(api.delete("/v1/meshes/shop/routes/echo-canary", key).status()).isEqualTo(204);
        assertThat(api.put("/v1/meshes/shop/services/web", key, "{\"protocol\": \"http\", \"port\": 8080, \"versions\": [{\"name\": \"v1\"}]}")
                .status()).isEqualTo(200);
        assertThat(api.get("/v1/meshes/shop/snapshots/web", key).body()).contains("10.9.9.9");
        assertThat(api.delete("/v1/meshes/shop/services/echo", key).status()).isEqualTo(204);
        assertThat(api.put("/v1/meshes/shop/services/echo", key, "{\"protocol\": \"http\", \"port\": 8080, \"versions\": [{\"name\": \"v1\"}]}")
                .status()).isEqualTo(201);

        // The old proxy's token is dead for every fleet call, and its endpoint does not reappear.
        assertThat(fleet.get("/v1/fleet/config", token).status()).isEqualTo(401);
        assertThat(fleet.post("/v1/fleet/status", token, "{\"version\": \"x\", \"result\": \"applied\"}").status()).isEqualTo(401);
        assertThat(fleet.post("/v1/fleet/endpoints", token, "{\"address\": \"10.9.9.9\", \"port\": 8080}").status()).isEqualTo(401);
        assertThat(fleet.post("/v1/fleet/certificates", token, csrBody(ProxyKey.generate())).status()).isEqualTo(401);
        assertThat(api.get("/v1/meshes/shop/snapshots/web", key).body()).doesNotContain("10.9.9.9");
        assertThat(api.get("/v1/meshes/shop/proxies", key).json().get("items")).isEmpty();
        // A join token minted for the old service does not register a proxy of the new one.
        assertThat(fleet.post("/v1/fleet/register", null, registration(unused, ProxyKey.generate().csr())).status()).isEqualTo(401);
        assertThat(register(key, "echo").get("token").asString()).isNotEqualTo(token);
    }

    @Test
    void aUsageReportIsRefusedOnceItsProxyIsRevokedElsewhereThoughThisReplicaStillKnowsTheToken() throws Exception {
        String key = newTenant();
        declareMesh(key);
        JsonNode echo = register(key, "echo");
        String token = echo.get("token").asString();
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minusSeconds(120);
        String first = new UsageReports(1, minute, minute.plusSeconds(10)).route("inbound", "inbound", "echo", null, 5, 0, 100).toString();
        Api.Response counted = fleet.post("/v1/fleet/usage", token, first);
        assertThat(counted.status()).isEqualTo(200);
        assertThat(counted.json().get("duplicate").asBoolean()).isFalse();

        // Another replica revokes it: only the database changes, this replica's memory of the token stays.
        String tenant = api.get("/v1/tenant", key).json().get("id").asString();
        String proxyId = echo.get("proxyId").asString();
        assertThat(transactions.inTenant(tenant, () -> jdbc.update("UPDATE proxies SET revoked_at = now() WHERE id = ?", proxyId)))
                .isEqualTo(1);
        String second = new UsageReports(2, minute.plusSeconds(10), minute.plusSeconds(20)).route("inbound", "inbound", "echo", null, 5, 0, 100)
                .toString();
        Api.Response refused = fleet.post("/v1/fleet/usage", token, second);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().get("title").asString()).isEqualTo("Unauthorized");
        assertThat(fleet.post("/v1/fleet/usage", token, first).status()).as("nor is a resend called a duplicate").isEqualTo(401);
        assertThat(transactions.inTenant(tenant, () -> jdbc.queryForObject("SELECT count(*) FROM usage_reports WHERE proxy_id = ?",
                Long.class, proxyId))).isEqualTo(1L);
        assertThat(transactions.inTenant(tenant, () -> jdbc.queryForObject("SELECT count(*) FROM billing_usage_reports WHERE proxy_id = ?",
                Long.class, proxyId))).isEqualTo(1L);
    }

    /**
     * Reports that arrive while their tenant's transaction is being written wait and are counted together
     * (group commit: the rows of one transaction share its xmin); a group holding a revoked proxy's report
     * is written again one report at a time, so that report alone is refused and every other one counted.
     * A lock held on usage_reports keeps the first writer waiting while the others arrive.
     */
    @Test
    void reportsArrivingTogetherAreCountedTogetherAndARevokedProxyAmongThemIsRefusedAlone() throws Exception {
        String key = newTenant();
        declareMesh(key);
        String tenant = api.get("/v1/tenant", key).json().get("id").asString();
        List<JsonNode> proxies = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) proxies.add(register(key, "echo"));
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minusSeconds(120);
        java.util.function.IntFunction<String> report = sequence -> new UsageReports(sequence, minute, minute.plusSeconds(10))
                .route("inbound", "inbound", "echo", null, 5, 0, 100).toString();

        // Five proxies, two reports each, all arriving while the first writer waits: counted in fewer transactions than reports.
        List<Api.Response> together = whileUsageReportsAreLocked(reportsOf(proxies, List.of(1, 2), report), 0);
        assertThat(together).extracting(Api.Response::status).containsOnly(200).hasSize(10);
        assertThat(transactions.inTenant(tenant, () -> jdbc.queryForObject(
                "SELECT count(DISTINCT xmin::text) FROM usage_reports WHERE tenant_id = ?", Long.class, tenant))).isLessThan(10L);

        // The same again with one of them revoked: its reports are refused, the others' counted.
        String revoked = proxies.getFirst().get("proxyId").asString();
        assertThat(transactions.inTenant(tenant, () -> jdbc.update("UPDATE proxies SET revoked_at = now() WHERE id = ?", revoked)))
                .isEqualTo(1);
        List<Api.Response> mixed = whileUsageReportsAreLocked(reportsOf(proxies, List.of(3, 4), report), 0);
        assertThat(mixed.subList(0, 2)).extracting(Api.Response::status).containsOnly(401);
        assertThat(mixed.subList(2, 10)).extracting(Api.Response::status).containsOnly(200);
        for (String table : List.of("usage_reports", "billing_usage_reports")) {
            assertThat(transactions.inTenant(tenant, () -> jdbc.queryForList(
                    "SELECT proxy_id, count(*) AS n FROM " + table + " WHERE tenant_id = ? GROUP BY proxy_id", tenant)))
                    .as(table).hasSize(5)
                    .allSatisfy(row -> assertThat(row.get("n")).isEqualTo(row.get("proxy_id").equals(revoked) ? 2L : 4L));
        }
    }

    /**
     * A database that does not keep up sheds reports instead of holding them: past 512 of a tenant's
     * reports waiting on the replica, the next ones are answered 503 with Retry-After at once, nothing of
     * them written, and the ones that waited are all counted once the database moves again.
     */
    @Test
    void reportsPastWhatMayWaitAreRefusedAtOnceAndTheRestCounted() throws Exception {
        String key = newTenant();
        declareMesh(key);
        String tenant = api.get("/v1/tenant", key).json().get("id").asString();
        JsonNode proxy = register(key, "echo");
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minusSeconds(120);
        List<Integer> sequences = java.util.stream.IntStream.rangeClosed(1, 600).boxed().toList();
        List<Api.Response> answers = whileUsageReportsAreLocked(reportsOf(List.of(proxy), sequences, sequence ->
                new UsageReports(sequence, minute, minute.plusSeconds(10)).route("inbound", "inbound", "echo", null, 1, 0, 100).toString()),
                600 - 512);
        List<Api.Response> refused = answers.stream().filter(a -> a.status() == 503).toList();
        assertThat(refused).hasSize(600 - 512)
                .allSatisfy(a -> assertThat(a.headers().firstValue("Retry-After")).hasValue("1"));
        assertThat(answers).extracting(Api.Response::status).containsOnly(200, 503);
        assertThat(transactions.inTenant(tenant, () -> jdbc.queryForObject(
                "SELECT count(*) FROM usage_reports WHERE tenant_id = ?", Long.class, tenant))).isEqualTo(512L);
    }

    private static List<String[]> reportsOf(List<JsonNode> proxies, List<Integer> sequences, java.util.function.IntFunction<String> report) {
        List<String[]> reports = new java.util.ArrayList<>();
        for (JsonNode proxy : proxies) {
            for (int sequence : sequences) reports.add(new String[]{proxy.get("token").asString(), report.apply(sequence)});
        }
        return reports;
    }

    /**
     * Sends the (token, report) pairs at once while usage_reports is locked (one writer waits for the lock
     * in the database, the other reports for it), and releases the lock once {@code answeredFirst} of them
     * were answered; answers every response, in the order given.
     */
    private List<Api.Response> whileUsageReportsAreLocked(List<String[]> reports, int answeredFirst) throws Exception {
        java.util.concurrent.CountDownLatch locked = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var lock = threads.submit(() -> transactions.inTenant("lock", () -> {
                jdbc.execute("LOCK TABLE usage_reports IN SHARE MODE");
                locked.countDown();
                try {
                    return release.await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
            assertThat(locked.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            List<java.util.concurrent.Future<Api.Response>> answers = new java.util.ArrayList<>();
            for (String[] report : reports) answers.add(threads.submit(() -> fleet.post("/v1/fleet/usage", report[0], report[1])));
            long waiting = 0;
            for (int i = 0; i < 200 && (waiting < 1 || answers.stream().filter(java.util.concurrent.Future::isDone).count() < answeredFirst); i++) {
                Thread.sleep(50);
                waiting = jdbc.queryForObject("SELECT count(*) FROM pg_locks WHERE relation = 'usage_reports'::regclass AND NOT granted", Long.class);
            }
            assertThat(waiting).as("a writer waits for the lock").isEqualTo(1);
            assertThat(answers.stream().filter(java.util.concurrent.Future::isDone).count()).isEqualTo(answeredFirst);
            // The others have arrived and wait (one in the database, the rest for it) before the lock goes.
            Thread.sleep(500);
            release.countDown();
            assertThat(lock.get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            List<Api.Response> responses = new java.util.ArrayList<>();
            for (var answer : answers) responses.add(answer.get(30, java.util.concurrent.TimeUnit.SECONDS));
            return responses;
        }
    }

    @Test
    void deletingAMeshRevokesItsProxies() throws Exception {
        String key = newTenant();
        declareMesh(key);
        String token = register(key, "web").get("token").asString();
        assertThat(fleet.get("/v1/fleet/config", token).status()).isEqualTo(200);
        for (String path : List.of("routes/echo-canary", "services/web", "services/echo")) {
            assertThat(api.delete("/v1/meshes/shop/" + path, key).status()).isEqualTo(204);
        }
        assertThat(api.delete("/v1/meshes/shop", key).status()).isEqualTo(204);
        declareMesh(key);
        assertThat(fleet.get("/v1/fleet/config", token).status()).isEqualTo(401);
        assertThat(fleet.post("/v1/fleet/certificates", token, csrBody(ProxyKey.generate())).status()).isEqualTo(401);
    }

    @Test
    void aJoinTokenCanBeRevokedBeforeUseByAnEditor() throws Exception {
        String key = newTenant();
        declareMesh(key);
        Api.Response minted = api.post("/v1/meshes/shop/join-tokens", key, "{\"service\": \"echo\", \"version\": \"v1\"}");
        String id = minted.json().get("id").asString();
        String token = minted.json().get("token").asString();
        assertThat(token).contains("_" + id + "_");

        String viewer = newKey(key, "viewer");
        assertThat(api.delete("/v1/meshes/shop/join-tokens/" + id, viewer).status()).isEqualTo(403);
        String editor = newKey(key, "editor");
        assertThat(api.delete("/v1/meshes/shop/join-tokens/" + id, editor).status()).isEqualTo(204);
        assertThat(api.delete("/v1/meshes/shop/join-tokens/" + id, editor).status()).isEqualTo(409);
        assertThat(fleet.post("/v1/fleet/register", null, registration(token, ProxyKey.generate().csr())).status()).isEqualTo(401);
        assertThat(api.delete("/v1/meshes/shop/join-tokens/nosuchtoken1", key).status()).isEqualTo(404);
        // Another tenant cannot revoke it, nor learn it exists.
        String other = newTenant();
        declareMesh(other);
        String second = api.post("/v1/meshes/shop/join-tokens", key, "{\"service\": \"echo\"}").json().get("id").asString();
        assertThat(api.delete("/v1/meshes/shop/join-tokens/" + second, other).status()).isEqualTo(404);
        assertThat(api.get("/v1/audit-events?limit=5", key).json().get("items").findValuesAsString("action")).contains("join-token.revoke");
    }

    @Test
    void theMeshAuthorityCertifiesOnlyStrongKeys() throws Exception {
        String key = newTenant();
        declareMesh(key);
        for (ProxyKey weak : List.of(ProxyKey.generate("RSA", 1024), ProxyKey.generate("RSA", 512), ProxyKey.generate("DSA", 2048),
                ProxyKey.generate("EC", "secp521r1"))) {
            Api.Response refused = fleet.post("/v1/fleet/register", null, registration(joinToken(key, "echo"), weak.csr()));
            assertThat(refused.status()).as(weak.pair().getPublic().getAlgorithm()).isEqualTo(400);
            assertThat(refused.json().get("violations").get(0).get("message").asString())
                    .contains("EC P-256 or P-384", "RSA key of at least 2048 bits");
        }
        for (ProxyKey strong : List.of(ProxyKey.generate("RSA", 2048), ProxyKey.generate("EC", "secp384r1"), ProxyKey.generate())) {
            assertThat(fleet.post("/v1/fleet/register", null, registration(joinToken(key, "echo"), strong.csr())).status()).isEqualTo(201);
        }
        String token = register(key, "echo").get("token").asString();
        assertThat(fleet.post("/v1/fleet/certificates", token, csrBody(ProxyKey.generate("RSA", 1024))).status()).isEqualTo(400);
    }

    @Test
    void statusReportsAreBounded() throws Exception {
        String key = newTenant();
        declareMesh(key);
        String token = register(key, "echo").get("token").asString();
        Api.Response big = fleet.post("/v1/fleet/status", token, "{\"version\": \"" + "v".repeat(60_000) + "\", \"result\": \"applied\"}");
        assertThat(big.status()).isEqualTo(400);
        assertThat(big.json().get("violations").get(0).get("field").asString()).isEqualTo("version");
        assertThat(fleet.post("/v1/fleet/status", token, "{\"version\": \"x\", \"result\": null}").status()).isEqualTo(400);
        assertThat(api.get("/v1/meshes/shop/proxies", key).json().get("items").get(0).get("appliedVersion").isNull()).isTrue();
    }

    private void declareMesh(String key) {
        assertThat(api.put("/v1/meshes/shop", key, "{\"mtls\": \"PERMISSIVE\"}").status()).isEqualTo(201);
        assertThat(api.put("/v1/meshes/shop/services/echo", key,
                "{\"protocol\": \"http\", \"port\": 8080, \"versions\": [{\"name\": \"v1\"}, {\"name\": \"v2\"}]}").status()).isEqualTo(201);
        assertThat(api.put("/v1/meshes/shop/services/web", key,
                "{\"protocol\": \"http\", \"port\": 8080, \"versions\": [{\"name\": \"v1\"}], \"dependsOn\": [\"echo\"]}").status()).isEqualTo(201);
        assertThat(api.put("/v1/meshes/shop/routes/echo-canary", key, """
                {"service": "echo", "rules": [{"backends": [{"service": "echo", "version": "v1", "weight": 100}]}]}""").status()).isEqualTo(201);
    }

    private String joinToken(String key, String service) {
        Api.Response minted = api.post("/v1/meshes/shop/join-tokens", key, "{\"service\": \"" + service + "\", \"version\": \"v1\"}");
        assertThat(minted.status()).isEqualTo(201);
        return minted.json().get("token").asString();
    }

    private JsonNode register(String key, String service) throws Exception {
        Api.Response registered = fleet.post("/v1/fleet/register", null, registration(joinToken(key, service), ProxyKey.generate().csr()));
        assertThat(registered.status()).isEqualTo(201);
        return registered.json();
    }

    private static String registration(String joinToken, String csr) {
        return "{\"joinToken\": " + Api.JSON.writeValueAsString(joinToken) + ", \"csr\": " + Api.JSON.writeValueAsString(csr) + "}";
    }

    private static String csrBody(ProxyKey key) throws Exception {
        return "{\"csr\": " + Api.JSON.writeValueAsString(key.csr()) + "}";
    }
}
