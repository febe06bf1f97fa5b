package dev.trellis.proxy.listener;

import dev.trellis.compiler.snapshot.MtlsMode;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.proxy.ProxySettings;
import dev.trellis.proxy.snapshot.SnapshotApplied;
import dev.trellis.proxy.tls.TlsFiles;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
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
 * handler mapping tells them apart by local port. It opens once a snapshot is in force and is
 * re-opened when the snapshot changes how callers must authenticate: under STRICT only TLS with a
 * client certificate from the trust bundle; under PERMISSIVE TLS (client certificate optional) or
 * plaintext, told apart by the first bytes; under DISABLED (or without certificates) plaintext.
 */
@Component
class InboundListener {
    private static final Logger log = LoggerFactory.getLogger(InboundListener.class);

    private final HttpHandler handler;
    private final ProxySettings settings;
    private final LoopResources loops;
    private DisposableServer server;
    private MtlsMode mode;

    InboundListener(HttpHandler handler, ProxySettings settings, LoopResources loops) {
        this.handler = handler;
        this.settings = settings;
        this.loops = loops;
    }

    @EventListener
    synchronized void onSnapshot(SnapshotApplied applied) {
        Snapshot snapshot = applied.snapshot();
        TlsFiles tls = TlsFiles.in(settings.dataDir());
        MtlsMode wanted = tls.present() ? snapshot.mtls() : MtlsMode.DISABLED;
        if (snapshot.mtls() != MtlsMode.DISABLED && !tls.present()) {
            log.warn("snapshot asks for {} mTLS but {} has no cert.pem, key.pem and trust-bundle.pem: inbound stays plaintext",
                    snapshot.mtls(), settings.dataDir());
        }
        if (server != null && wanted == mode) return;
        if (server != null) server.disposeNow();
        HttpServer http = HttpServer.create().runOn(loops).port(settings.inboundPort());
        if (wanted != MtlsMode.DISABLED) {
            SslContext context = tls.server(wanted == MtlsMode.STRICT ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
            boolean strict = wanted == MtlsMode.STRICT;
            http = http.doOnChannelInit((observer, channel, address) -> channel.pipeline().addFirst("trellis-tls",
                    strict ? context.newHandler(channel.alloc()) : new OptionalSslHandler(context)));
        }
        server = http.handle(new ReactorHttpHandlerAdapter(handler)).bindNow();
        mode = wanted;
        log.info("inbound listener on port {} ({} mTLS) → app port {}", settings.inboundPort(), wanted,
                settings.appPort() > 0 ? settings.appPort() : snapshot.inbound().port());
    }

    @jakarta.annotation.PreDestroy
    synchronized void stop() {
        if (server != null) server.disposeNow();
    }
}
