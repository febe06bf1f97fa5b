package dev.trellis.proxy.admin;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import dev.trellis.proxy.ProxySettings;
import dev.trellis.proxy.exchange.CallerConnections;
import dev.trellis.proxy.exchange.HttpLimits;
import dev.trellis.proxy.exchange.HttpListener;
import dev.trellis.proxy.exchange.PortLifecycle;
import dev.trellis.proxy.exchange.ProxyExchange;
import dev.trellis.proxy.listener.InboundListener;
import dev.trellis.proxy.routing.ActiveRoutes;
import dev.trellis.proxy.routing.RoutingTable;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The admin port: {@code /ready} (200 only once a snapshot is in force, the inbound listener
 * accepts connections with that snapshot's transport and the caller connections are under their cap), {@code /metrics} (Prometheus text)
 * and {@code POST /quitquitquit} (loopback only: the proxy stops). It
 * runs on the proxy's own HTTP listener rather than Actuator, which would add a web stack and tens
 * of megabytes to a sidecar that needs two endpoints.
 */
public final class AdminServer extends PortLifecycle {
    private final ProxySettings settings;
    private final ActiveRoutes routes;
    private final PrometheusMeterRegistry registry;
    private final EventLoopGroup loops;
    private final InboundListener inbound;
    private final HttpLimits limits;
    private final CallerConnections connections;
    private final Runnable quit;
    static final String QUIT = "/quitquitquit";

    /** {@code quit} stops the proxy (and its process, when it is one) without blocking the event loop that asked. */
    public AdminServer(ProxySettings settings, ActiveRoutes routes, PrometheusMeterRegistry registry, EventLoopGroup loops,
                       InboundListener inbound, HttpLimits limits, CallerConnections connections, Runnable quit) {
        this.settings = settings;
        this.quit = quit;
        this.limits = limits;
        this.connections = connections;
        this.inbound = inbound;
        this.loops = loops;
        this.routes = routes;
        this.registry = registry;
    }

    @Override
    protected Channel bind() {
        return HttpListener.bind(loops, new InetSocketAddress(settings.adminPort()), (exchange, ignored) -> serve(exchange),
                false, channel -> true, limits, null, false);
    }

    private void serve(ProxyExchange exchange) {
        if (exchange.path().equals(QUIT)) {
            quit(exchange);
            return;
        }
        if (!exchange.method().equals("GET")) {
            exchange.respond(text(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only\n", "text/plain"));
            return;
        }
        switch (exchange.path()) {
            case "/ready" -> exchange.respond(ready());
            case "/metrics" -> exchange.respond(text(HttpResponseStatus.OK, registry.scrape(),
                    "text/plain; version=0.0.4; charset=utf-8"));
            default -> exchange.respond(text(HttpResponseStatus.NOT_FOUND, "not found\n", "text/plain"));
        }
    }

    /**
     * {@code POST /quitquitquit}, from loopback only (the app or a script in the same pod or task;
     * the admin port is reachable from outside for probes): the proxy stops as on SIGTERM (it
     * withdraws its endpoint, drains, sends its last usage report), then its process exits 0. A
     * Kubernetes Job whose proxy is a plain sidecar ends it this way once its work is done.
     */
    private void quit(ProxyExchange exchange) {
        if (!exchange.method().equals("POST")) {
            exchange.respond(text(HttpResponseStatus.METHOD_NOT_ALLOWED, "POST only\n", "text/plain"));
            return;
        }
        if (!(exchange.remoteAddress() instanceof InetSocketAddress caller) || !caller.getAddress().isLoopbackAddress()) {
            exchange.respond(text(HttpResponseStatus.FORBIDDEN, "only from loopback\n", "text/plain"));
            return;
        }
        exchange.respond(text(HttpResponseStatus.OK, "stopping\n", "text/plain"));
        quit.run();
    }

    private FullHttpResponse ready() {
        RoutingTable table = routes.current();
        if (table == null) return text(HttpResponseStatus.SERVICE_UNAVAILABLE, "no snapshot applied\n", "text/plain");
        if (connections.atCap()) {
            return text(HttpResponseStatus.SERVICE_UNAVAILABLE, "overloaded: " + connections.open() + " of "
                    + connections.max() + " caller connections open\n", "text/plain");
        }
        if (!inbound.accepts(table.snapshot())) {
            return text(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "inbound listener not yet serving snapshot " + table.snapshot().version() + "\n", "text/plain");
        }
        return text(HttpResponseStatus.OK, "ready " + table.snapshot().version() + "\n", "text/plain");
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body, String contentType) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return response;
    }
}
