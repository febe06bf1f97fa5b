package dev.trellis.e2e;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The tenant's side of the REST API, as curl would use it. */
final class ControlPlaneApi {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String base;
    private final String key;

    ControlPlaneApi(int port, String key) {
        this.base = "http://127.0.0.1:" + port;
        this.key = key;
    }

    String key() {
        return key;
    }

    ControlPlaneApi as(String otherKey) {
        return new ControlPlaneApi(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), otherKey);
    }

    record Answer(int status, String body) {
        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    Answer put(String path, String body) {
        return send("PUT", path, body);
    }

    Answer post(String path, String body) {
        return send("POST", path, body);
    }

    Answer get(String path) {
        return send("GET", path, null);
    }

    Answer send(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) request.header("Content-Type", "application/json");
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A PUT that must succeed (201 created or 200 replaced). */
    void declare(String path, String body) {
        Answer answer = put(path, body);
        if (answer.status() != 200 && answer.status() != 201) {
            throw new AssertionError("PUT " + path + " answered " + answer.status() + ": " + answer.body());
        }
    }
}
