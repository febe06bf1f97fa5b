package dev.trellis.controlplane;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bin/trellis up} ({@code --trellis.demo=true}) keeps one demo owner key across restarts, not one more per start. */
class DemoTenantIT {
    @TempDir
    Path home;

    @Test
    void theDemoKeySurvivesARestartAndIsReplacedOnlyWhenRevoked() throws Exception {
        String first;
        try (ConfigurableApplicationContext plane = start()) {
            first = keptKey();
            Api api = api(plane);
            assertThat(api.get("/v1/tenant", first).json().get("name").asString()).isEqualTo("demo");
        }
        String id;
        try (ConfigurableApplicationContext plane = start()) {
            assertThat(keptKey()).isEqualTo(first);
            Api api = api(plane);
            var keys = api.get("/v1/api-keys", first).json().get("items");
            assertThat(keys).hasSize(1);
            id = keys.get(0).get("id").asString();
            // Revoked through the API: the next start mints a new one and keeps that.
            assertThat(api.delete("/v1/api-keys/" + id, first).status()).isEqualTo(204);
        }
        try (ConfigurableApplicationContext plane = start()) {
            String second = keptKey();
            assertThat(second).isNotEqualTo(first);
            Api api = api(plane);
            assertThat(api.get("/v1/tenant", second).status()).isEqualTo(200);
            assertThat(api.get("/v1/tenant", first).status()).isEqualTo(401);
        }
    }

    private String keptKey() throws Exception {
        return Files.readString(home.resolve("demo-api-key")).strip();
    }

    private ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(TrellisControlPlane.class).run(
                "--server.port=0", "--trellis.home=" + home, "--trellis.operator-key=demo-it-operator", "--trellis.demo=true");
    }

    private static Api api(ConfigurableApplicationContext context) {
        return new Api(((WebServerApplicationContext) context).getWebServer().getPort(), OpenApiContract.instance()::check);
    }
}
