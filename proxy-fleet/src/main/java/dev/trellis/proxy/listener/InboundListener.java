package dev.trellis.proxy.listener;

import java.net.InetSocketAddress;

import dev.trellis.compiler.snapshot.MtlsMode;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.proxy.ProxySettings;
import dev.trellis.proxy.exchange.CallerConnections;
import dev.trellis.proxy.exchange.HttpLimits;
import dev.trellis.proxy.policy.UsageLedger;
import dev.trellis.proxy.exchange.HttpListener;
import dev.trellis.proxy.fleet.CertificateRenewed;
import dev.trellis.proxy.routing.SnapshotRouter;
import dev.trellis.proxy.snapshot.SnapshotApplied;
import dev.trellis.proxy.tcp.TcpListeners;
import dev.trellis.proxy.tls.TlsFiles;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound listener (15006 → the app), on the same event loops and router as the outbound one;
 * its requests take the snapshot's inbound rule. It binds once, when the first snapshot is in
 * force, and stays bound: each new connection takes the transport in force at that moment — under
 * STRICT only TLS with a client certificate from the trust bundle; under PERMISSIVE TLS (client
 * certificate optional) or plaintext, told apart by the first bytes; under DISABLED (or without
 * certificates) plaintext. When the snapshot's inbound protocol is {@code tcp}, the connection then
 * carries opaque bytes to the app ({@link TcpListeners#inbound}) instead of HTTP. A snapshot changing the mode, or a renewed certificate, swaps that
 * transport in place, so the port never closes and connections under way keep theirs.
 */
public final class InboundListener {
    private static final Logger log = LoggerFactory.getLogger(InboundListener.class);

    private final SnapshotRouter router;
    private final ProxySettings settings;
    private final EventLoopGroup loops;
    private final HttpLimits limits;
    private final CallerConnections connections;
    private final UsageLedger usage;
    private final TcpListeners tcp;
    private volatile Channel server;
    /** What new connections get; read on the event loops for every accepted connection. */
    private volatile InboundTransport transport;

    public InboundListener(SnapshotRouter router, ProxySettings settings, EventLoopGroup loops, HttpLimits limits,
                    CallerConnections connections, UsageLedger usage, TcpListeners tcp) {
        this.router = router;
        this.tcp = tcp;
        this.limits = limits;
        this.connections = connections;
        this.usage = usage;
        this.settings = settings;
        this.loops = loops;
    }

    /**
     * Whether the listener accepts connections with the transport {@code snapshot} asks for, which is
     * what readiness means to callers: a snapshot in force whose port cannot be reached is not ready.
     */
    public boolean accepts(Snapshot snapshot) {
        InboundTransport current = transport;
        return server != null && current != null && current.requested() == snapshot.mtls();
    }

    public synchronized void onSnapshot(SnapshotApplied applied) {
        Snapshot snapshot = applied.snapshot();
        InboundTransport current = transport;
        if (current == null || current.requested() != snapshot.mtls()) install(snapshot.mtls());
        if (server == null) {
            server = HttpListener.bind(loops, new InetSocketAddress(settings.inboundPort()), router, true,
                    channel -> {
                        Runnable closed = usage.connectionOpened(true);
                        channel.closeFuture().addListener(done -> closed.run());
                        transport.secure(channel);
                        return tcp.inbound(channel);
                    }, limits, connections);
        }
        log.info("inbound listener on port {} ({} mTLS) → app port {}", settings.inboundPort(), transport.effective(),
                settings.appPort() > 0 ? settings.appPort() : snapshot.inbound().port());
    }

    /** The renewed certificate serves the next connection on; connections under way keep the one they shook hands with. */
    public synchronized void onRenewed(CertificateRenewed renewed) {
        InboundTransport current = transport;
        if (current == null) return;
        try {
            install(current.requested());
        } catch (RuntimeException e) {
            log.error("renewed certificate unusable, inbound keeps the previous one: {}", e.toString());
            return;
        }
        log.info("inbound listener serves the renewed certificate (valid until {})", renewed.notAfter());
    }

    private void install(MtlsMode requested) {
        TlsFiles tls = TlsFiles.in(settings.dataDir());
        if (requested == MtlsMode.DISABLED || !tls.present()) {
            if (requested != MtlsMode.DISABLED) {
                log.warn("snapshot asks for {} mTLS but {} has no cert.pem, key.pem and trust-bundle.pem: inbound stays plaintext",
                        requested, settings.dataDir());
            }
            transport = new InboundTransport(requested, MtlsMode.DISABLED, null);
            return;
        }
        SslContext context = tls.server(requested == MtlsMode.STRICT ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
        transport = new InboundTransport(requested, requested, context);
    }

    public synchronized void stop() {
        if (server != null) server.close().syncUninterruptibly();
    }

    /** The mode a snapshot asked for, the one in force (plaintext without certificates) and its server context. */
    private record InboundTransport(MtlsMode requested, MtlsMode effective, SslContext context) {

        void secure(Channel channel) {
            if (effective == MtlsMode.DISABLED) return;
            channel.pipeline().addFirst("trellis-tls",
                    effective == MtlsMode.STRICT ? context.newHandler(channel.alloc()) : new OptionalSslHandler(context));
        }
    }
}
