package dev.trellis.e2e;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A workload: a real HTTP server that answers every request with its service and version; it can be
 * told to fail every n-th request (500) or to answer late, for the telemetry test.
 */
final class VersionServer implements AutoCloseable {
    private final HttpServer server;
    private final java.util.concurrent.atomic.AtomicLong served = new java.util.concurrent.atomic.AtomicLong();
    private volatile int failEvery;
    private volatile long delayMillis;

    VersionServer(String service, String version) {
        this(service, version, 0);
    }

    /** On a given loopback port (0: any free one). */
    VersionServer(String service, String version, int port) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] body = (service + " " + version).getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            long n = served.incrementAndGet();
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failEvery > 0 && n % failEvery == 0) {
                exchange.sendResponseHeaders(500, -1);
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** From now on every {@code n}-th request is answered 500 (0: none). */
    void failEvery(int n) {
        this.failEvery = n;
    }

    /** From now on every answer waits {@code millis} first. */
    void delay(long millis) {
        this.delayMillis = millis;
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
