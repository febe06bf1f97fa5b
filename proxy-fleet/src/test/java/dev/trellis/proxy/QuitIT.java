package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.rule;
import static dev.trellis.proxy.Snapshots.snapshot;
import static dev.trellis.proxy.Snapshots.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.SnapshotJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A plain-sidecar Kubernetes Job ends its proxy from the app's container: {@code POST /quitquitquit}
 * on the admin port (loopback). The proxy started as shipped ({@code bin/trellis proxy}, its own
 * process) answers, stops as on SIGTERM and its process exits 0; other methods are refused. A proxy
 * that cannot start (its admin port taken) says why and exits 1 instead of running half-started.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class QuitIT {

    @Test
    void postQuitQuitQuitEndsTheProxyProcess() throws Exception {
        TestBackend app = TestBackend.start("job-app");
        int admin = ProxyHarness.freePort();
        Path dir = Files.createTempDirectory("trellis-quit");
        Path snapshotFile = snapshotFile(dir, app.port());
        Process proxy = ShippedProcess.startReady(dir, snapshotFile, app.port(), ProxyHarness.freePort(), admin);
        HttpClient client = HttpClient.newHttpClient();
        try {
            assertThat(send(client, admin, "GET", "/quitquitquit").statusCode()).isEqualTo(405);
            assertThat(proxy.isAlive()).isTrue();

            HttpResponse<String> quit = send(client, admin, "POST", "/quitquitquit");
            assertThat(quit.statusCode()).isEqualTo(200);
            assertThat(proxy.waitFor(30, TimeUnit.SECONDS)).as("proxy exited (log in %s)", dir).isTrue();
            assertThat(proxy.exitValue()).isZero();
        } finally {
            proxy.destroyForcibly();
            app.close();
        }
    }

    @Test
    void sigtermStopsTheProxyProcess() throws Exception {
        TestBackend app = TestBackend.start("job-app");
        int admin = ProxyHarness.freePort();
        Path dir = Files.createTempDirectory("trellis-sigterm");
        Path snapshotFile = snapshotFile(dir, app.port());
        Process proxy = ShippedProcess.startReady(dir, snapshotFile, app.port(), ProxyHarness.freePort(), admin);
        try {
            proxy.destroy();
            assertThat(proxy.waitFor(30, TimeUnit.SECONDS)).as("proxy exited on SIGTERM (log in %s)", dir).isTrue();
            assertThat(proxy.exitValue()).as("128 + SIGTERM").isEqualTo(143);
        } finally {
            proxy.destroyForcibly();
            app.close();
        }
    }

    @Test
    void aProxyWhosePortIsTakenSaysWhichAndExits1() throws Exception {
        Path dir = Files.createTempDirectory("trellis-port-taken");
        Path snapshotFile = snapshotFile(dir, 9);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process proxy = ShippedProcess.start(dir, snapshotFile, 9, ProxyHarness.freePort(), taken.getLocalPort(), Map.of());
            try {
                assertThat(proxy.waitFor(120, TimeUnit.SECONDS)).as("proxy exited (log in %s)", dir).isTrue();
                assertThat(proxy.exitValue()).isEqualTo(1);
                assertThat(Files.readString(dir.resolve("proxy.log")))
                        .contains("the proxy did not start: cannot listen on")
                        .contains(":" + taken.getLocalPort() + ":")
                        .doesNotContain("\tat ");
            } finally {
                proxy.destroyForcibly();
            }
        }
    }

    /** A snapshot routing every call to {@code appPort}, in {@code dir}. */
    private static Path snapshotFile(Path dir, int appPort) throws IOException {
        Path file = dir.resolve("snapshot-input.json");
        Files.write(file, SnapshotJson.write(snapshot(List.of(upstream("echo", rule("echo/0", Match.any(), "echo"))),
                List.of(Snapshots.cluster("echo", appPort))).withComputedVersion()));
        return file;
    }

    private static HttpResponse<String> send(HttpClient client, int port, String method, String path)
            throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
