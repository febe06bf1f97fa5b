package dev.trellis.proxy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/** A real HTTP upstream for tests: answers with its name, records what it received, behaves as told. */
final class TestBackend implements AutoCloseable {

    /** What the backend does with its n-th request (counting from 0). */
    interface Behaviour {
        Reply reply(int hit, HttpExchange exchange) throws Exception;
    }

    record Reply(int status, long delayMs) {
        static Reply ok() {
            return new Reply(200, 0);
        }
    }

    record Seen(String method, String uri, Headers headers, byte[] body) {
        String header(String name) {
            return headers.getFirst(name);
        }
    }

    final String name;
    final AtomicInteger hits = new AtomicInteger();
    final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    /** The client ports requests came from: one per connection the proxy opened to this backend. */
    final java.util.Set<Integer> callerPorts = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final HttpServer server;
    private volatile Behaviour behaviour = (hit, exchange) -> Reply.ok();

    private TestBackend(String name) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    static TestBackend start(String name) {
        try {
            return new TestBackend(name);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    TestBackend behave(Behaviour next) {
        behaviour = next;
        return this;
    }

    TestBackend reset() {
        hits.set(0);
        seen.clear();
        callerPorts.clear();
        behaviour = (hit, exchange) -> Reply.ok();
        return this;
    }

    List<Seen> seen() {
        return List.copyOf(seen);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int hit = hits.getAndIncrement();
            callerPorts.add(exchange.getRemoteAddress().getPort());
            if (seen.size() < 20_000) {
                seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().toString(), exchange.getRequestHeaders(), body));
            }
            Reply reply;
            try {
                reply = behaviour.reply(hit, exchange);
            } catch (Exception e) {
                reply = new Reply(599, 0); // a broken behaviour shows as a failed assertion, not a hang
            }
            if (reply.delayMs() > 0) Thread.sleep(reply.delayMs());
            byte[] text = name.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("x-backend", name);
            if (reply.status() == 204) {
                exchange.sendResponseHeaders(204, -1);
                return;
            }
            exchange.sendResponseHeaders(reply.status(), text.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(text);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Map<String, Integer> summary() {
        return Map.of(name, hits.get());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
