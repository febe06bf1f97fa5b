package dev.trellis.proxy.fleet;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The control plane's fleet API, over plain blocking HTTP on virtual threads: register, renew, long
 * poll, report. Every call carries the proxy token once there is one.
 */
final class ControlPlaneClient {
    static final JsonMapper JSON = JsonMapper.builder().build();
    // Longer than the control plane's hold (30 s), so its 304 arrives before this gives up.
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(45);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();

    ControlPlaneClient(String base) {
        this.base = URI.create(base.endsWith("/") ? base : base + "/");
    }

    /** An answer the caller must act on: a status, a body, and when the control plane asked to be sent to again (null: it did not). */
    record Answer(int status, byte[] body, String etag, Duration retryAfter) {
        JsonNode json() {
            return JSON.readTree(body);
        }

        /** What the control plane said when it refused (a problem document's detail), for the log; "" when it said nothing readable. */
        String reason() {
            try {
                JsonNode detail = json().get("detail");
                return detail != null && detail.isString() ? detail.asString() : "";
            } catch (RuntimeException notJson) {
                return "";
            }
        }
    }

    Answer register(String joinToken, String csr) throws IOException, InterruptedException {
        return post("v1/fleet/register", null, Map.of("joinToken", joinToken, "csr", csr));
    }

    Answer renew(String proxyToken, String csr) throws IOException, InterruptedException {
        return post("v1/fleet/certificates", proxyToken, Map.of("csr", csr));
    }

    Answer status(String proxyToken, Map<String, String> report) throws IOException, InterruptedException {
        return post("v1/fleet/status", proxyToken, report);
    }

    /** Answers 200 with a snapshot different from {@code version}, or 304 after the control plane's hold time. */
    Answer poll(String proxyToken, String version) throws IOException, InterruptedException {
        String query = version == null ? "" : "?version=" + java.net.URLEncoder.encode(version, java.nio.charset.StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(base.resolve("v1/fleet/config" + query))
                .header("Authorization", "Bearer " + proxyToken)
                .timeout(POLL_TIMEOUT)
                .GET()
                .build();
        return send(request);
    }

    Answer post(String path, String proxyToken, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .timeout(CALL_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        if (proxyToken != null) request.header("Authorization", "Bearer " + proxyToken);
        return send(request.build());
    }

    Answer delete(String path, String proxyToken) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Authorization", "Bearer " + proxyToken)
                .timeout(CALL_TIMEOUT)
                .DELETE()
                .build());
    }

    private Answer send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        String etag = response.headers().firstValue("ETag").map(tag -> tag.replace("\"", "")).orElse(null);
        return new Answer(response.statusCode(), response.body(), etag, retryAfter(response.headers().firstValue("Retry-After").orElse(null)));
    }

    /** A {@code Retry-After} of whole seconds (the form the control plane sends); null when absent or another form. */
    static Duration retryAfter(String value) {
        if (value == null || !value.strip().matches("[0-9]{1,6}")) return null;
        return Duration.ofSeconds(Long.parseLong(value.strip()));
    }

    String describe() {
        return "control plane " + base;
    }
}
