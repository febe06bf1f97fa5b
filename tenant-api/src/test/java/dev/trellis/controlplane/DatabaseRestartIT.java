package dev.trellis.controlplane;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL restarts under a running control plane (what a managed database does on failover or
 * maintenance): no accepted write and no proxy registration is lost, the pool reconnects, and the
 * LISTEN connection behind the long polls reconnects, so a change after the restart still wakes a
 * held poll at once. The database is external here, configured as an operator would:
 * {@code spring.datasource.url} plus {@code spring.datasource.username=trellis_app} (the role the
 * application runs as, bound by row-level security) and {@code spring.flyway.user}, a role that owns
 * the schema and may create roles, because V1 creates {@code trellis_app} (LOGIN, no password) when it
 * does not exist; against a database that checks passwords the operator gives that role a password
 * ({@code ALTER ROLE trellis_app PASSWORD …}) and passes it as {@code spring.datasource.password}.
 */
class DatabaseRestartIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String OPERATOR = "db-restart-operator";

    @TempDir
    Path work;

    @Test
    void writesRegistrationsAndLongPollsSurviveAPostgresRestart() throws Exception {
        int dbPort = freePort();
        EmbeddedPostgres postgres = startPostgres(dbPort);
        try (ConfigurableApplicationContext app = start(dbPort)) {
            int port = ((WebServerApplicationContext) app).getWebServer().getPort();
            Api api = new Api(port, OpenApiContract.instance()::check);
            Api fleet = new Api(port, exchange -> { }); // fleet paths are not in the contract (see FleetIT)
            String key = api.post("/v1/tenants", OPERATOR, "{\"name\": \"db-survivor\"}").json().get("apiKey").asString();
            String tenantId = api.get("/v1/tenant", key).json().get("id").asString();
            assertThat(api.put("/v1/meshes/shop", key, "{\"mtls\": \"PERMISSIVE\"}").status()).isEqualTo(201);
            assertThat(api.put("/v1/meshes/shop/services/echo", key, ControlPlaneIT.ECHO).status()).isEqualTo(201);
            assertThat(api.put("/v1/meshes/shop/services/web", key,
                    "{\"protocol\": \"http\", \"port\": 8080, \"versions\": [{\"name\": \"v1\"}], \"dependsOn\": [\"echo\"]}").status()).isEqualTo(201);
            assertThat(api.put("/v1/meshes/shop/routes/echo-canary", key, ControlPlaneIT.canary(90, 10)).status()).isEqualTo(201);
            String joinToken = api.post("/v1/meshes/shop/join-tokens", key, "{\"service\": \"web\", \"version\": \"v1\"}")
                    .json().get("token").asString();
            Api.Response registered = fleet.post("/v1/fleet/register", null, "{\"joinToken\": " + Api.JSON.writeValueAsString(joinToken)
                    + ", \"csr\": " + Api.JSON.writeValueAsString(ProxyKey.generate().csr()) + "}");
            assertThat(registered.status()).isEqualTo(201);
            String proxyToken = registered.json().get("token").asString();
            String proxyId = registered.json().get("proxyId").asString();
            HttpResponse<byte[]> first = poll(port, proxyToken, null).get(5, TimeUnit.SECONDS);
            assertThat(first.statusCode()).isEqualTo(200);
            String before = etag(first);
            CompletableFuture<HttpResponse<byte[]>> held = poll(port, proxyToken, before);
            Thread.sleep(500); // held by now: a poll arriving while PostgreSQL is down fails, and its proxy simply retries

            postgres.close();
            // While the database is down, a request is told to come back (503 + Retry-After), never a bare 500.
            Api.Response down = fleet.get("/v1/tenant", key);
            assertThat(down.status()).isEqualTo(503);
            assertThat(down.headers().firstValue("Retry-After")).hasValue("1");
            postgres = startPostgres(dbPort);

            // The first write after the restart is retried for a bounded time: a request that draws a pooled connection
            // the restart killed is told to retry (503, outside the contract, hence the unchecked client) and the pool replaces it.
            List<Integer> attempts = new ArrayList<>();
            long written = retryUntil(Duration.ofSeconds(15), () -> {
                attempts.add(fleet.put("/v1/meshes/shop/routes/echo-canary", key, ControlPlaneIT.canary(0, 100)).status());
                return attempts.getLast() == 200;
            });
            assertThat(attempts).as("attempts before the write went through").hasSizeLessThanOrEqualTo(3)
                    .allMatch(status -> status == 200 || status == 503);
            HttpResponse<byte[]> woken = held.get(10, TimeUnit.SECONDS);
            assertThat(woken.statusCode()).as("held poll answered with the new snapshot, not a 304").isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - written)).isLessThan(Duration.ofSeconds(5));
            assertThat(new String(woken.body())).contains("\"weight\":100");
            String after = etag(woken);
            assertThat(after).isNotEqualTo(before);

            // Every write accepted before the restart is still there.
            assertThat(api.get("/v1/tenant", key).json().get("id").asString()).isEqualTo(tenantId);
            assertThat(api.get("/v1/meshes/shop", key).json().get("mtls").asString()).isEqualTo("PERMISSIVE");
            assertThat(api.get("/v1/meshes/shop/services/echo", key).json().get("port").asInt()).isEqualTo(8080);
            assertThat(api.get("/v1/meshes/shop/services/web", key).status()).isEqualTo(200);
            assertThat(fleet.get("/v1/meshes/shop/proxies", key).json().get("items").get(0).get("id").asString()).isEqualTo(proxyId);

            // The registration still authenticates, and its reports are still written.
            assertThat(poll(port, proxyToken, null).get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(fleet.post("/v1/fleet/status", proxyToken, "{\"version\": \"" + after + "\", \"result\": \"applied\"}").status()).isEqualTo(204);
            assertThat(fleet.get("/v1/meshes/shop/proxies", key).json().get("items").get(0).get("appliedVersion").asString()).isEqualTo(after);

            // A poll held after the restart is woken by the (reconnected) notifications, well before its 10 s hold ends.
            CompletableFuture<HttpResponse<byte[]>> next = poll(port, proxyToken, after);
            Thread.sleep(300);
            long changed = System.nanoTime();
            assertThat(api.put("/v1/meshes/shop/routes/echo-canary", key, ControlPlaneIT.canary(50, 50)).status()).isEqualTo(200);
            HttpResponse<byte[]> wokenAgain = next.get(10, TimeUnit.SECONDS);
            assertThat(wokenAgain.statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - changed)).isLessThan(Duration.ofSeconds(3));
            assertThat(new String(wokenAgain.body())).contains("\"weight\":50");
        } finally {
            postgres.close();
        }
    }

    private EmbeddedPostgres startPostgres(int port) throws Exception {
        return EmbeddedPostgres.builder()
                .setDataDirectory(work.resolve("postgres"))
                .setCleanDataDirectory(false)
                .setPort(port)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .start();
    }

    private ConfigurableApplicationContext start(int dbPort) {
        String url = "jdbc:postgresql://127.0.0.1:" + dbPort + "/postgres";
        return new SpringApplicationBuilder(TrellisControlPlane.class).run(
                "--server.port=0", "--trellis.home=" + work.resolve("home"), "--trellis.operator-key=" + OPERATOR,
                "--spring.datasource.url=" + url, "--spring.datasource.username=trellis_app", "--spring.datasource.password=",
                "--spring.flyway.user=postgres", "--spring.flyway.password=",
                "--trellis.fleet.poll-hold=10s", "--spring.datasource.hikari.connection-timeout=2000");
    }

    /** Answers when {@code done} first held, as {@link System#nanoTime()}; fails after {@code limit}. */
    private static long retryUntil(Duration limit, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("not done within " + limit).isLessThan(deadline);
            Thread.sleep(200);
        }
        return System.nanoTime();
    }

    private static CompletableFuture<HttpResponse<byte[]>> poll(int port, String token, String version) {
        String query = version == null ? "" : "?version=" + version;
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/fleet/config" + query))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String etag(HttpResponse<?> response) {
        return response.headers().firstValue("ETag").orElseThrow().replace("\"", "");
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
