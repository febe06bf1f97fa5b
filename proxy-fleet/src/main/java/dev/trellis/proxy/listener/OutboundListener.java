package dev.trellis.proxy.listener;

import java.net.InetSocketAddress;

import dev.trellis.proxy.ProxySettings;
import dev.trellis.proxy.exchange.CallerConnections;
import dev.trellis.proxy.exchange.HttpLimits;
import dev.trellis.proxy.policy.UsageLedger;
import dev.trellis.proxy.exchange.HttpListener;
import dev.trellis.proxy.exchange.PortLifecycle;
import dev.trellis.proxy.routing.SnapshotRouter;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound listener: the explicit HTTP proxy the app calls other services through
 * ({@code HTTP_PROXY=http://127.0.0.1:15001}), on loopback only since only the app next to it may
 * use it. It binds at start; until a snapshot is in force it answers 503.
 */
public final class OutboundListener extends PortLifecycle {
    private static final Logger log = LoggerFactory.getLogger(OutboundListener.class);

    private final ProxySettings settings;
    private final EventLoopGroup loops;
    private final SnapshotRouter router;
    private final HttpLimits limits;
    private final CallerConnections connections;
    private final UsageLedger usage;

    public OutboundListener(ProxySettings settings, EventLoopGroup loops, SnapshotRouter router, HttpLimits limits,
                            CallerConnections connections, UsageLedger usage) {
        this.usage = usage;
        this.settings = settings;
        this.limits = limits;
        this.connections = connections;
        this.loops = loops;
        this.router = router;
    }

    @Override
    protected Channel bind() {
        Channel server = HttpListener.bind(loops, new InetSocketAddress("127.0.0.1", settings.outboundPort()), router, false,
                channel -> {
                    Runnable closed = usage.connectionOpened(false);
                    channel.closeFuture().addListener(done -> closed.run());
                    return true;
                }, limits, connections);
        log.info("outbound listener on 127.0.0.1:{}", settings.outboundPort());
        return server;
    }
}
