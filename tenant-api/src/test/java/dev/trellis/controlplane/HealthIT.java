package dev.trellis.controlplane;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The probes and the graceful stop of one control plane: {@code /livez} and {@code /readyz} answer
 * 200; a database missing the newest migration makes it unready (503, Retry-After, the reason) and
 * not dead; closing the application (what SIGTERM does) turns it unready at once, keeps serving for
 * the drain, and answers a held long poll 304 before the web server stops.
 */
@Timeout(180)
class HealthIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String OPERATOR = "health-operator";

    @TempDir
    Path home;

    @Test
    void probesAnswerAndAStoppingReplicaAnswersItsHeldPoll304AfterTheDrain() throws Exception {
        ConfigurableApplicationContext app = new SpringApplicationBuilder(TrellisControlPlane.class).run(
                "--server.port=0", "--trellis.home=" + home, "--trellis.operator-key=" + OPERATOR,
                "--trellis.shutdown.drain=2s", "--trellis.fleet.poll-hold=30s");
        int port = ((WebServerApplicationContext) app).getWebServer().getPort();
        try {
            assertThat(get(port, "/livez").body()).isEqualTo("{\"status\":\"live\"}");
            assertThat(get(port, "/readyz").body()).isEqualTo("{\"status\":\"ready\"}");

            // The newest migration this replica ships, gone from the database (a restore of an older schema, say).
            String url = "jdbc:postgresql://127.0.0.1:" + Files.readString(home.resolve("postgres.port")).strip() + "/postgres";
            try (Connection db = DriverManager.getConnection(url, "postgres", ""); Statement sql = db.createStatement()) {
                String newest;
                try (var rows = sql.executeQuery("SELECT version FROM flyway_schema_history WHERE version IS NOT NULL"
                        + " ORDER BY installed_rank DESC LIMIT 1")) {
                    rows.next();
                    newest = rows.getString(1);
                }
                sql.execute("UPDATE flyway_schema_history SET version = '" + newest + "-hidden' WHERE version = '" + newest + "'");
                HttpResponse<String> unready = get(port, "/readyz");
                assertThat(unready.statusCode()).isEqualTo(503);
                assertThat(unready.headers().firstValue("Retry-After")).hasValue("1");
                assertThat(unready.body()).contains("migration " + newest + " is not applied to the database");
                assertThat(get(port, "/livez").statusCode()).isEqualTo(200);
                sql.execute("UPDATE flyway_schema_history SET version = '" + newest + "' WHERE version = '" + newest + "-hidden'");
            }
            assertThat(get(port, "/readyz").statusCode()).isEqualTo(200);

            Api api = new Api(port, exchange -> { });
            String key = api.post("/v1/tenants", OPERATOR, "{\"name\": \"stopping\"}").json().get("apiKey").asString();
            assertThat(api.put("/v1/meshes/shop", key, "{\"mtls\": \"PERMISSIVE\"}").status()).isEqualTo(201);
            assertThat(api.put("/v1/meshes/shop/services/echo", key, ControlPlaneIT.ECHO).status()).isEqualTo(201);
            String joinToken = api.post("/v1/meshes/shop/join-tokens", key, "{\"service\": \"echo\", \"version\": \"v1\"}")
                    .json().get("token").asString();
            String token = api.post("/v1/fleet/register", null, "{\"joinToken\": " + Api.JSON.writeValueAsString(joinToken)
                    + ", \"csr\": " + Api.JSON.writeValueAsString(ProxyKey.generate().csr()) + "}").json().get("token").asString();
            HttpResponse<String> first = poll(port, token, null).get(10, TimeUnit.SECONDS);
            String version = first.headers().firstValue("ETag").orElseThrow().replace("\"", "");
            CompletableFuture<HttpResponse<String>> held = poll(port, token, version);
            Thread.sleep(500);
            assertThat(held).isNotDone();

            long stopping = System.nanoTime();
            CompletableFuture<Void> closed = CompletableFuture.runAsync(app::close);
            Thread.sleep(500);
            HttpResponse<String> draining = get(port, "/readyz");
            assertThat(draining.statusCode()).isEqualTo(503);
            assertThat(draining.body()).contains("this replica is stopping");
            assertThat(api.get("/v1/tenant", key).status()).as("still serving while the balancer moves away").isEqualTo(200);
            assertThat(held).as("held through the drain").isNotDone();

            HttpResponse<String> answered = held.get(15, TimeUnit.SECONDS);
            assertThat(answered.statusCode()).isEqualTo(304);
            assertThat(answered.headers().firstValue("ETag")).hasValue("\"" + version + "\"");
            assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
            closed.get(30, TimeUnit.SECONDS);
        } finally {
            app.close();
        }
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static CompletableFuture<HttpResponse<String>> poll(int port, String token, String version) {
        String query = version == null ? "" : "?version=" + version;
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/fleet/config" + query))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }
}
