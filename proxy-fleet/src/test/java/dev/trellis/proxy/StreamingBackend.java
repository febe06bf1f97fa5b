package dev.trellis.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An upstream that streams: server-sent events one second apart, downloads of any size generated as
 * they are written, and uploads counted as they are read (nothing is kept), so a test's memory does
 * not grow with the bodies it moves.
 */
final class StreamingBackend implements AutoCloseable {
    private static final byte[] BLOCK = new byte[64 * 1024];

    final AtomicLong written = new AtomicLong();
    final AtomicLong uploaded = new AtomicLong();
    volatile String lastTransferEncoding;
    private final HttpServer server;

    static StreamingBackend start() {
        try {
            return new StreamingBackend();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private StreamingBackend() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/events", this::events);
        server.createContext("/download", this::download);
        server.createContext("/upload", this::upload);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Four events, one second apart, each flushed as it is written. */
    private void events(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 1; i <= 4; i++) {
                out.write(("data: event " + i + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (i < 4) Thread.sleep(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code /download?bytes=N}: N bytes with a Content-Length, written as fast as the connection takes them. */
    private void download(HttpExchange exchange) throws IOException {
        long bytes = Long.parseLong(exchange.getRequestURI().getQuery().substring("bytes=".length()));
        written.set(0);
        exchange.sendResponseHeaders(200, bytes);
        try (OutputStream out = exchange.getResponseBody()) {
            for (long left = bytes; left > 0; ) {
                int n = (int) Math.min(BLOCK.length, left);
                out.write(BLOCK, 0, n);
                left -= n;
                written.addAndGet(n);
            }
        } catch (IOException e) {
            // the caller went away
        }
    }

    /** Reads the body to its end, counting; answers the count. */
    private void upload(HttpExchange exchange) throws IOException {
        lastTransferEncoding = exchange.getRequestHeaders().getFirst("Transfer-Encoding");
        uploaded.set(0);
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = exchange.getRequestBody()) {
            for (int n; (n = in.read(buffer)) >= 0; ) uploaded.addAndGet(n);
        }
        byte[] answer = Long.toString(uploaded.get()).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
