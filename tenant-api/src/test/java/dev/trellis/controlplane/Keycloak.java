package dev.trellis.controlplane;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A real Keycloak server (the Maven Central distribution unpacked by the build into
 * {@code target/keycloak}), started in dev mode with an in-memory database and one realm imported.
 */
final class Keycloak implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final Process process;
    private final int port;

    private Keycloak(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static Path home() {
        return Path.of(System.getProperty("keycloak.home", "target/keycloak/keycloak-26.7.3"));
    }

    static String issuer(int port) {
        return "http://127.0.0.1:" + port + "/realms/trellis";
    }

    /** Starts Keycloak on {@code port} with the realm file imported; waits until the realm answers. */
    static Keycloak start(int port, String realmJson) throws Exception {
        Path home = home();
        Path imports = home.resolve("data/import");
        Files.createDirectories(imports);
        Files.writeString(imports.resolve("trellis-realm.json"), realmJson);
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/kc.sh").toString(), "start-dev",
                "--http-port=" + port, "--http-management-port=" + freePort(), "--http-host=127.0.0.1",
                "--db=dev-mem", "--import-realm", "--cache=local")
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("keycloak-it.log").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Keycloak keycloak = new Keycloak(builder.start(), port);
        keycloak.awaitRealm(Duration.ofMinutes(4));
        return keycloak;
    }

    private void awaitRealm(Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        URI discovery = URI.create(issuer(port) + "/.well-known/openid-configuration");
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) throw new IllegalStateException("Keycloak exited; see " + home().resolve("keycloak-it.log"));
            try {
                if (HTTP.send(HttpRequest.newBuilder(discovery).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("Keycloak did not start within " + timeout);
    }

    /** An access token for a user, by the password grant of a public client. */
    String token(String client, String user, String password) throws Exception {
        String form = "grant_type=password&client_id=" + client + "&username=" + user + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&scope=openid";
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(issuer(port) + "/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) throw new IllegalStateException("token request failed: " + answer.body());
        return Api.JSON.readTree(answer.body()).get("access_token").asString();
    }

    @Override
    public void close() throws Exception {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
