package dev.trellis.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A proxy reduced to its fleet protocol: registered with a join token (and a CSR openssl made), it
 * long-polls {@code /v1/fleet/config} on whichever replica it is pointed at, so a test can hold a
 * poll on one replica and write through another. The real proxies run beside it.
 */
final class SimulatedProxy {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static String csr;

    final String token;

    private SimulatedProxy(String token) {
        this.token = token;
    }

    /** A poll's answer and when it arrived ({@link System#nanoTime()}). */
    record Answer(int status, String etag, long at) {
    }

    static SimulatedProxy register(String balancer, ControlPlaneApi api, String service, String version) {
        ControlPlaneApi.Answer join = api.post("/v1/meshes/shop/join-tokens",
                "{\"service\": \"" + service + "\", \"version\": \"" + version + "\"}");
        if (join.status() != 201) throw new AssertionError("join token answered " + join.status() + ": " + join.body());
        String body = "{\"joinToken\": " + ControlPlaneApi.JSON.writeValueAsString(join.json().get("token").asString())
                + ", \"csr\": " + ControlPlaneApi.JSON.writeValueAsString(csr()) + "}";
        try {
            HttpResponse<String> registered = HTTP.send(HttpRequest.newBuilder(URI.create(balancer + "/v1/fleet/register"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            if (registered.statusCode() != 201) throw new AssertionError("registration answered " + registered.statusCode() + ": " + registered.body());
            return new SimulatedProxy(ControlPlaneApi.JSON.readTree(registered.body()).get("token").asString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code GET /v1/fleet/config?version=} on {@code base}; without a version it answers at once with the snapshot. */
    CompletableFuture<Answer> poll(String base, String version) {
        String query = version == null ? "" : "?version=" + version;
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/fleet/config" + query))
                        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.discarding())
                .thenApply(r -> new Answer(r.statusCode(), r.headers().firstValue("ETag").orElse("").replace("\"", ""), System.nanoTime()));
    }

    /** One CSR for every simulated proxy: the control plane takes a proxy's identity from its join token. */
    private static synchronized String csr() {
        if (csr != null) return csr;
        try {
            Path dir = Files.createTempDirectory("trellis-csr");
            Process openssl = new ProcessBuilder("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-subj", "/CN=simulated", "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("csr.pem").toString())
                    .redirectErrorStream(true).start();
            String output = new String(openssl.getInputStream().readAllBytes());
            if (openssl.waitFor() != 0) throw new IllegalStateException("openssl req failed: " + output);
            csr = Files.readString(dir.resolve("csr.pem"));
            return csr;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
