package dev.trellis.terraform.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/** The Trellis REST API as the provider uses it: JSON over HTTP with the tenant's API key. */
public final class TrellisApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI endpoint;
    private final String apiKey;

    public TrellisApi(URI endpoint, String apiKey) {
        String base = endpoint.toString();
        this.endpoint = URI.create(base.endsWith("/") ? base : base + "/");
        this.apiKey = apiKey;
    }

    /** The resource at {@code path}, or empty when it does not exist (404). */
    public Optional<JsonNode> get(String path) {
        HttpResponse<String> response = send(request(path).GET());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        return Optional.of(body(response));
    }

    /** A body exactly as served (e.g. a compiled snapshot, byte for byte) with its ETag; empty on 404. */
    public Optional<RawBody> getRaw(String path) {
        HttpResponse<String> response = send(request(path).GET());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        body(response);
        return Optional.of(new RawBody(response.body(), response.headers().firstValue("ETag").orElse(null)));
    }

    /** A response body as text, and its ETag (may be null). */
    public record RawBody(String text, String etag) {
    }

    /**
     * Creates or replaces; {@code ifMatch} (a resourceVersion) makes the write fail when stale, and
     * {@code ifMatch == null} makes it a creation only: it sends {@code If-None-Match: *}, so the
     * API answers 412 ({@link ApiProblem#exists()}) instead of overwriting an object that is there.
     */
    public JsonNode put(String path, JsonNode document, String ifMatch, boolean dryRun) {
        HttpRequest.Builder request = request(dryRun ? path + "?dryRun=true" : path)
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(document)))
                .header("Content-Type", "application/json");
        if (ifMatch != null) {
            request.header("If-Match", quoted(ifMatch));
        } else {
            request.header("If-None-Match", "*");
        }
        return body(send(request));
    }

    public JsonNode post(String path, JsonNode document) {
        return body(send(request(path)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(document)))
                .header("Content-Type", "application/json")));
    }

    /** Deletes; a resource that is already gone is not an error. */
    public void delete(String path, String ifMatch) {
        HttpRequest.Builder request = request(path).DELETE();
        if (ifMatch != null) {
            request.header("If-Match", quoted(ifMatch));
        }
        HttpResponse<String> response = send(request);
        if (response.statusCode() != 404) {
            body(response);
        }
    }

    private static String quoted(String version) {
        return version.startsWith("\"") ? version : "\"" + version + "\"";
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(endpoint.resolve(path.startsWith("/") ? path.substring(1) : path))
                .timeout(TIMEOUT)
                .header("Accept", "application/json, application/problem+json")
                .header("Authorization", "Bearer " + apiKey);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ApiProblem(0, "Trellis API unreachable at " + endpoint, String.valueOf(e.getMessage()), List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiProblem(0, "Interrupted while calling the Trellis API", "", List.of());
        }
    }

    private static JsonNode body(HttpResponse<String> response) {
        String text = response.body();
        JsonNode node = text == null || text.isBlank() ? JsonNodeFactory.instance.objectNode() : parse(text);
        if (response.statusCode() >= 400) {
            throw problem(response.statusCode(), node);
        }
        return node;
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (RuntimeException e) {
            return JsonNodeFactory.instance.objectNode().put("detail", text);
        }
    }

    private static ApiProblem problem(int status, JsonNode node) {
        List<Violation> violations = new ArrayList<>();
        node.path("violations").forEach(v -> violations.add(Violation.of(v)));
        return new ApiProblem(status, node.path("title").asString(null), node.path("detail").asString(null), violations);
    }
}
