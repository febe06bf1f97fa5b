package dev.trellis.controlplane;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A real HTTP client for the running control plane; every exchange is handed to the contract check. */
final class Api {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String base;
    private final Consumer<Exchange> observer;

    Api(int port, Consumer<Exchange> observer) {
        this.base = "http://127.0.0.1:" + port;
        this.observer = observer;
    }

    /** One request and its answer, as the contract check sees them. */
    record Exchange(String method, String path, String requestBody, Response response) {
    }

    record Response(int status, java.net.http.HttpHeaders headers, byte[] bytes) {
        String body() {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }

        JsonNode json() {
            return JSON.readTree(bytes);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    Response get(String path, String key) {
        return send("GET", path, key, null);
    }

    Response put(String path, String key, String body, String... headers) {
        return send("PUT", path, key, body, headers);
    }

    Response post(String path, String key, String body) {
        return send("POST", path, key, body);
    }

    Response delete(String path, String key, String... headers) {
        return send("DELETE", path, key, null, headers);
    }

    Response send(String method, String path, String key, String body, String... headers) {
        List<String> all = new ArrayList<>(List.of(headers));
        if (key != null) all.addAll(List.of("Authorization", "Bearer " + key));
        if (body != null) all.addAll(List.of("Content-Type", "application/json"));
        return sendRaw(method, path, body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                all.toArray(String[]::new));
    }

    Response sendRaw(String method, String path, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) request.headers(headers);
        try {
            HttpResponse<byte[]> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            Response response = new Response(answer.statusCode(), answer.headers(), answer.body());
            observer.accept(new Exchange(method, path, body == null ? null : new String(body, java.nio.charset.StandardCharsets.UTF_8), response));
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
