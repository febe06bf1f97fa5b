package dev.trellis.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.SnapshotJson;
import dev.trellis.proxy.snapshot.SnapshotApplier;

/** A real proxy process-in-JVM with its four ports, and a client that uses it as an HTTP proxy. */
final class ProxyHarness implements AutoCloseable {
    final int outboundPort = freePort();
    final int inboundPort = freePort();
    final int adminPort = freePort();
    final Path dataDir;
    final Path snapshotFile;
    final ProxyApplication proxy;
    final HttpClient client;
    final HttpClient direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    ProxyHarness(int appPort, Path dataDir, String... extraArgs) {
        try {
            this.dataDir = dataDir;
            this.snapshotFile = dataDir.resolveSibling(dataDir.getFileName() + "-input.json");
            List<String> args = new ArrayList<>(List.of(
                    "--trellis.outbound-port=" + outboundPort, "--trellis.inbound-port=" + inboundPort,
                    "--trellis.admin-port=" + adminPort, "--trellis.app-port=" + appPort,
                    "--trellis.data-dir=" + dataDir, "--trellis.snapshot-poll-period=100ms"));
            args.addAll(List.of(extraArgs));
            proxy = ProxyApplication.start(args.toArray(String[]::new));
            client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", outboundPort)))
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
        } catch (RuntimeException e) {
            throw e;
        }
    }

    static Path tempDir(String name) {
        try {
            return Files.createTempDirectory("trellis-proxy-" + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    SnapshotApplier.Outcome apply(Snapshot snapshot) {
        return proxy.applier().apply(SnapshotJson.write(snapshot.withComputedVersion()), "test");
    }

    /** A GET through the outbound port: {@code url} names the service as host, e.g. {@code http://echo/x}. */
    HttpResponse<String> get(String url, String... headers) {
        return send(request(url, headers).GET().build());
    }

    HttpRequest.Builder request(String url, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) builder.headers(headers);
        return builder;
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends {@code count} requests, {@code concurrency} at a time, and returns every response. */
    List<HttpResponse<String>> sendMany(int count, int concurrency, Supplier<HttpRequest> next) {
        Semaphore slots = new Semaphore(concurrency);
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            slots.acquireUninterruptibly();
            futures.add(client.sendAsync(next.get(), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, e) -> slots.release()));
        }
        return futures.stream().map(CompletableFuture::join).toList();
    }

    HttpResponse<String> admin(String path) {
        try {
            return direct.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        proxy.close();
    }
}
