package dev.trellis.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The proxy as shipped: {@code bin/trellis proxy} in its own process, run from a snapshot file, its log in {@code dir}. */
final class ShippedProcess {
    private ShippedProcess() {
    }

    /** Starts it and returns once {@code /ready} answers 200 on {@code admin}. */
    static Process startReady(Path dir, Path snapshotFile, int appPort, int outbound, int admin) throws IOException {
        return startReady(dir, snapshotFile, appPort, outbound, admin, Map.of());
    }

    /** The same, with more environment variables (such as {@code TRELLIS_PROXY_JAVA_OPTS}). */
    static Process startReady(Path dir, Path snapshotFile, int appPort, int outbound, int admin, Map<String, String> env)
            throws IOException {
        Process proxy = start(dir, snapshotFile, appPort, outbound, admin, env);
        HttpClient client = HttpClient.newHttpClient();
        // Generous: on a machine shared by many builds a JVM start has taken over 30 s.
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).until(() -> {
            assertThat(proxy.isAlive()).as("proxy running (log in %s)", dir).isTrue();
            try {
                return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        });
        return proxy;
    }

    /** Starts it, its output in {@code dir/proxy.log}, without waiting for anything. */
    static Process start(Path dir, Path snapshotFile, int appPort, int outbound, int admin, Map<String, String> env)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of("..", "bin", "trellis").toString(), "proxy")
                .redirectErrorStream(true).redirectOutput(dir.resolve("proxy.log").toFile());
        builder.environment().put("TRELLIS_PROXY_JAR", Path.of("target", "trellis-proxy.jar").toAbsolutePath().toString());
        builder.environment().put("TRELLIS_SNAPSHOT_FILE", snapshotFile.toString());
        builder.environment().put("TRELLIS_APP_PORT", Integer.toString(appPort));
        builder.environment().put("TRELLIS_OUTBOUND_PORT", Integer.toString(outbound));
        builder.environment().put("TRELLIS_INBOUND_PORT", Integer.toString(ProxyHarness.freePort()));
        builder.environment().put("TRELLIS_ADMIN_PORT", Integer.toString(admin));
        builder.environment().put("TRELLIS_DATA_DIR", dir.resolve("data").toString());
        builder.environment().putAll(env);
        return builder.start();
    }
}
