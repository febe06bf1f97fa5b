package dev.trellis.proxy.listener;

import dev.trellis.proxy.ProxySettings;
import dev.trellis.proxy.snapshot.SnapshotApplied;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.stereotype.Component;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * The inbound listener (15006 → the app): a second Reactor Netty server on the same WebFlux
 * handler as the outbound one, so both sides share the gateway, its filters and event loops; the
 * handler mapping tells them apart by local port. It opens once a snapshot is in force.
 */
@Component
class InboundListener {
    private static final Logger log = LoggerFactory.getLogger(InboundListener.class);

    private final HttpHandler handler;
    private final ProxySettings settings;
    private final LoopResources loops;
    private DisposableServer server;

    InboundListener(HttpHandler handler, ProxySettings settings, LoopResources loops) {
        this.handler = handler;
        this.settings = settings;
        this.loops = loops;
    }

    @EventListener
    synchronized void onSnapshot(SnapshotApplied applied) {
        if (server != null) return;
        server = HttpServer.create()
                .runOn(loops)
                .port(settings.inboundPort())
                .handle(new ReactorHttpHandlerAdapter(handler))
                .bindNow();
        log.info("inbound listener on port {} → app port {}", settings.inboundPort(),
                settings.appPort() > 0 ? settings.appPort() : applied.snapshot().inbound().port());
    }

    @jakarta.annotation.PreDestroy
    synchronized void stop() {
        if (server != null) server.disposeNow();
    }
}
