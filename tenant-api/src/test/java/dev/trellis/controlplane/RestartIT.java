package dev.trellis.controlplane;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stop the control plane (and its embedded PostgreSQL), start it again on the same TRELLIS_HOME:
 * every resource is still there, even after a crash left a stale postmaster.pid behind.
 */
class RestartIT {
    @TempDir
    Path home;

    @Test
    void dataSurvivesARestartAndAStalePidFile() throws Exception {
        String key;
        try (ConfigurableApplicationContext first = start()) {
            Api api = api(first);
            Api.Response tenant = api.post("/v1/tenants", "restart-operator", "{\"name\": \"survivor\"}");
            key = tenant.json().get("apiKey").asString();
            assertThat(api.put("/v1/meshes/shop", key, "{\"mtls\": \"STRICT\"}").status()).isEqualTo(201);
            assertThat(api.put("/v1/meshes/shop/services/echo", key, ControlPlaneIT.ECHO).status()).isEqualTo(201);
        }
        Path pid = home.resolve("postgres/postmaster.pid");
        assertThat(pid).doesNotExist();
        // What a crash leaves: a pid file naming a process that is gone.
        Files.writeString(pid, "999999\n" + home.resolve("postgres") + "\n");

        try (ConfigurableApplicationContext second = start()) {
            Api api = api(second);
            assertThat(api.get("/v1/meshes/shop", key).json().get("mtls").asString()).isEqualTo("STRICT");
            assertThat(api.get("/v1/meshes/shop/services/echo", key).json().get("port").asInt()).isEqualTo(8080);
            assertThat(api.get("/v1/meshes/shop/snapshots/echo", key).status()).isEqualTo(200);
        }
    }

    private ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(TrellisControlPlane.class).run(
                "--server.port=0", "--trellis.home=" + home, "--trellis.operator-key=restart-operator");
    }

    private static Api api(ConfigurableApplicationContext context) {
        return new Api(((WebServerApplicationContext) context).getWebServer().getPort(), OpenApiContract.instance()::check);
    }
}
