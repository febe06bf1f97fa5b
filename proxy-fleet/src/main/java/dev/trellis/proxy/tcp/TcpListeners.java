package dev.trellis.proxy.tcp;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.Upstream;
import dev.trellis.proxy.exchange.CallerConnections;
import dev.trellis.proxy.exchange.Transport;
import dev.trellis.proxy.policy.UsageLedger;
import dev.trellis.proxy.routing.ActiveRoutes;
import dev.trellis.proxy.routing.RoutingTable;
import dev.trellis.proxy.snapshot.SnapshotApplied;
import dev.trellis.proxy.upstream.TcpUpstream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound side of {@code tcp} services: an app reaches the {@code tcp} upstream {@code db} of
 * port 5432 at {@code 127.0.0.1:5432} ({@code TRELLIS_TCP_BIND_ADDRESS}), where this proxy listens
 * for as long as the snapshot in force has that upstream; HTTP has a Host header to route by, bytes
 * have only the port they were sent to. Each connection goes where the table in force at accept
 * time says; one bound port stays bound across snapshots that keep its upstream. The inbound side
 * of a {@code tcp} service is the inbound port itself ({@link #inbound}).
 */
public final class TcpListeners {
    private static final Logger log = LoggerFactory.getLogger(TcpListeners.class);
    static final String OUTBOUND = "outbound";
    static final String INBOUND = "inbound";

    private final EventLoopGroup loops;
    private final ActiveRoutes routes;
    private final TcpLimits limits;
    private final TcpMetrics metrics;
    private final CallerConnections connections;
    private final UsageLedger usage;
    private final Map<String, Bound> bound = new HashMap<>();

    public TcpListeners(EventLoopGroup loops, ActiveRoutes routes, TcpLimits limits, MeterRegistry registry,
                        CallerConnections connections, UsageLedger usage) {
        this.loops = loops;
        this.routes = routes;
        this.limits = limits;
        this.metrics = new TcpMetrics(registry);
        this.connections = connections;
        this.usage = usage;
    }

    private record Bound(int port, Channel server) {
    }

    public synchronized void onSnapshot(SnapshotApplied applied) {
        Snapshot snapshot = applied.snapshot();
        Map<String, Integer> wanted = new HashMap<>();
        for (Upstream upstream : snapshot.upstreams()) {
            if ("tcp".equals(upstream.protocol())) wanted.put(upstream.service(), upstream.port());
        }
        bound.entrySet().removeIf(entry -> {
            Integer port = wanted.get(entry.getKey());
            if (port != null && port == entry.getValue().port()) return false;
            entry.getValue().server().close().syncUninterruptibly();
            log.info("tcp listener for {} on port {} closed", entry.getKey(), entry.getValue().port());
            return true;
        });
        wanted.forEach((service, port) -> {
            if (bound.containsKey(service)) return;
            try {
                bound.put(service, new Bound(port, bind(service, port)));
                log.info("tcp listener for {} on {}:{}", service, limits.bindAddress(), port);
            } catch (RuntimeException e) {
                // One taken port must not stop the snapshot, nor the other upstreams' listeners.
                log.error("tcp listener for {}: {}", service, e.getMessage());
            }
        });
    }

    private Channel bind(String service, int port) {
        return Transport.listen(Transport.serverBootstrap(loops)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        RoutingTable table = routes.current();
                        TcpUpstream upstream = table == null ? null : table.tcp(service);
                        if (upstream == null || !connections.admit(channel)) {
                            channel.close();
                            return;
                        }
                        Runnable closed = usage.connectionOpened(false);
                        channel.closeFuture().addListener(done -> closed.run());
                        channel.pipeline().addLast(new TcpSession(OUTBOUND, service, upstream, null, limits, metrics));
                    }
                }), new InetSocketAddress(limits.bindAddress(), port));
    }

    /**
     * Takes an accepted inbound connection (its TLS handler, if any, already added) when the table in
     * force makes the inbound side {@code tcp}: answers false, so the port adds no HTTP handler.
     */
    public boolean inbound(Channel channel) {
        RoutingTable table = routes.current();
        if (table == null || !table.inboundIsTcp()) return true;
        channel.pipeline().addLast(new TcpSession(INBOUND, table.snapshot().service(), table.inboundTcp(),
                table.snapshot().inbound().access(), limits, metrics));
        return false;
    }

    public synchronized void stop() {
        bound.values().forEach(b -> b.server().close().syncUninterruptibly());
        bound.clear();
    }
}
