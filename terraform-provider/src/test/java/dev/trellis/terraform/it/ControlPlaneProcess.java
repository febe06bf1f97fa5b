package dev.trellis.terraform.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The real control plane jar, run as a process on a free port with its own embedded PostgreSQL. */
final class ControlPlaneProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String operatorKey = "op-" + UUID.randomUUID();
    final URI endpoint;
    final Path log;

    private ControlPlaneProcess(Path jar, Path home) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        endpoint = URI.create("http://127.0.0.1:" + port);
        log = home.resolve("control-plane.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--server.port=" + port, "--server.address=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("TRELLIS_HOME", home.toString());
        builder.environment().put("TRELLIS_OPERATOR_KEY", operatorKey);
        process = builder.start();
    }

    /** The jar the reactor built before this module, if it is there. */
    static Optional<Path> builtJar() {
        Path jar = Path.of("..", "tenant-api", "target", "trellis-control-plane.jar").toAbsolutePath().normalize();
        return Files.isRegularFile(jar) ? Optional.of(jar) : Optional.empty();
    }

    static ControlPlaneProcess start(Path jar, Path home) throws Exception {
        ControlPlaneProcess plane = new ControlPlaneProcess(jar, home);
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            if (!plane.process.isAlive()) {
                throw new IllegalStateException("control plane exited: " + Files.readString(plane.log));
            }
            try {
                plane.http.send(HttpRequest.newBuilder(plane.endpoint.resolve("/v1/tenant")).build(),
                        HttpResponse.BodyHandlers.discarding());
                return plane;
            } catch (IOException notYet) {
                Thread.sleep(500);
            }
        }
        plane.close();
        throw new IllegalStateException("control plane did not answer within 3 minutes; see " + plane.log);
    }

    /** Signs a tenant up with the operator key and answers its first API key. */
    String createTenant(String name) throws Exception {
        JsonNode created = send("POST", "/v1/tenants", operatorKey, "{\"name\": \"" + name + "\"}", 201);
        return created.get("apiKey").asString();
    }

    JsonNode send(String method, String path, String key, String body, int expectedStatus) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.resolve(path))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expectedStatus) {
            throw new AssertionError(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
