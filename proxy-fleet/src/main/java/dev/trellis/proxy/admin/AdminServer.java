package dev.trellis.proxy.admin;

import java.nio.charset.StandardCharsets;

import dev.trellis.proxy.ProxySettings;
import dev.trellis.proxy.listener.InboundListener;
import dev.trellis.proxy.routing.ActiveRoutes;
import dev.trellis.proxy.routing.RoutingTable;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * The admin port: {@code /ready} (200 only once a snapshot is in force and the inbound listener accepts
 * connections with that snapshot's transport) and {@code /metrics}
 * (Prometheus text). A bare Reactor Netty server instead of Actuator, which would add a second
 * application context and tens of megabytes to a sidecar that needs two endpoints.
 */
@Component
class AdminServer implements SmartLifecycle {
    private final ProxySettings settings;
    private final ActiveRoutes routes;
    private final PrometheusMeterRegistry registry;
    private final LoopResources loops;
    private final InboundListener inbound;
    private volatile DisposableServer server;

    AdminServer(ProxySettings settings, ActiveRoutes routes, PrometheusMeterRegistry registry, LoopResources loops,
                InboundListener inbound) {
        this.settings = settings;
        this.inbound = inbound;
        this.loops = loops;
        this.routes = routes;
        this.registry = registry;
    }

    @Override
    public void start() {
        server = HttpServer.create()
                .runOn(loops)
                .port(settings.adminPort())
                .route(r -> r
                        .get("/ready", (request, response) -> {
                            RoutingTable table = routes.current();
                            if (table == null) return response.status(503).sendString(Mono.just("no snapshot applied\n"));
                            if (!inbound.accepts(table.snapshot())) {
                                return response.status(503).sendString(Mono.just("inbound listener not yet serving snapshot "
                                        + table.snapshot().version() + "\n"));
                            }
                            return response.sendString(Mono.just("ready " + table.snapshot().version() + "\n"));
                        })
                        .get("/metrics", (request, response) -> response
                                .header("content-type", "text/plain; version=0.0.4; charset=utf-8")
                                .sendByteArray(Mono.fromCallable(() -> registry.scrape().getBytes(StandardCharsets.UTF_8)))))
                .bindNow();
    }

    @Override
    public void stop() {
        if (server != null) server.disposeNow();
        server = null;
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }
}
