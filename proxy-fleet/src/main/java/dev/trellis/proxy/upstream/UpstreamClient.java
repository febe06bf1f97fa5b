package dev.trellis.proxy.upstream;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;

import javax.net.ssl.SSLPeerUnverifiedException;

import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.proxy.exchange.Transport;
import dev.trellis.proxy.tls.SpiffeId;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Connections to endpoints, kept alive and pooled per event loop and endpoint, so an attempt runs
 * on its caller's thread without locks: the caller's connection and the upstream one share the
 * loop. mTLS connections present this proxy's certificate and are used only once the endpoint has
 * proved, at the handshake, the SPIFFE ID its cluster expects. To mTLS clusters (other proxies)
 * requests go as HTTP/2 streams when the endpoint selects {@code h2} by ALPN ({@link Http2Connections}),
 * except upgrades (WebSocket), which only HTTP/1.1 carries.
 */
public final class UpstreamClient {
    private static final int CONNECT_TIMEOUT_MS = 2000;
    /** Idle connections kept per endpoint and event loop; more are closed when they return. */
    private static final int MAX_IDLE = 256;

    // Weak keys: the pools of endpoints that no snapshot lists any more go with their endpoint state.
    private final FastThreadLocal<Map<EndpointState, ArrayDeque<Channel>>> idle = new FastThreadLocal<>() {
        @Override
        protected Map<EndpointState, ArrayDeque<Channel>> initialValue() {
            return new WeakHashMap<>();
        }
    };
    private volatile SslContext tls;
    private volatile SslContext tlsH2;
    private final Http2Connections h2 = new Http2Connections();

    /**
     * Uses this client TLS context (certificate, key, trust bundle) for clusters that need mTLS from
     * the next new connection on. Host names are not verified: endpoints are addresses and mesh
     * certificates name workloads by SPIFFE ID, which is checked against the cluster's identity.
     */
    public void useTls(SslContext context) {
        tls = context;
    }

    /**
     * Uses the proxy's certificate files for mTLS clusters from the next new connection on: HTTP/2
     * when the endpoint selects it by ALPN (another proxy does), else HTTP/1.1.
     */
    public void useTls(dev.trellis.proxy.tls.TlsFiles files) {
        SslContext h2 = files.clientH2();
        tls = files.client();
        tlsH2 = h2;
    }

    boolean hasTls() {
        return tls != null;
    }

    static UpstreamConnection handler(Channel channel) {
        return channel.pipeline().get(UpstreamConnection.class);
    }

    /**
     * Hands {@code attempt} a ready connection to {@code endpoint}: an idle pooled one when allowed,
     * else a new one; with {@code http2}, a new stream on the endpoint's one HTTP/2 connection.
     */
    void connection(EventLoop loop, EndpointState endpoint, Cluster cluster, boolean http2, Attempt attempt, boolean pooledAllowed) {
        if (http2) {
            h2.stream(loop, endpoint, attempt, null, null);
            return;
        }
        SslContext h2Context = cluster.mtls() ? tlsH2 : null;
        if (h2Context != null && !attempt.needsHttp1() && !endpoint.http1Only) {
            h2.stream(loop, endpoint, attempt, h2Context, cluster.identity());
            return;
        }
        ArrayDeque<Channel> pool = idle.get().computeIfAbsent(endpoint, e -> new ArrayDeque<>());
        String expected = cluster.mtls() ? cluster.identity() : null;
        Channel pooled;
        while (pooledAllowed && (pooled = pool.pollLast()) != null) {
            UpstreamConnection connection = handler(pooled);
            // The identity a connection proved also tells TLS from plaintext (null): one check covers both.
            if (pooled.isActive() && connection != null && Objects.equals(connection.peerIdentity, expected)) {
                attempt.connected(pooled, true);
                return;
            }
            pooled.close();
        }
        SslContext context = cluster.mtls() ? tls : null;
        ChannelFuture connect = bootstrap(loop)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (context != null) addTls(channel, context, endpoint);
                        UpstreamConnection connection = new UpstreamConnection();
                        connection.pool = pool;
                        channel.pipeline()
                                .addLast(new HttpClientCodec(8192, 64 * 1024, 64 * 1024))
                                .addLast(connection);
                    }
                })
                .connect(endpoint.endpoint.address(), endpoint.endpoint.port());
        connect.addListener(done -> {
            if (!done.isSuccess()) {
                attempt.fail(AttemptFailure.Kind.CONNECT, String.valueOf(done.cause().getMessage()));
                return;
            }
            Channel channel = connect.channel();
            whenVerified(channel, expected, peer -> {
                if (peer != null) handler(channel).peerIdentity = peer;
                attempt.connected(channel, false);
            }, reason -> attempt.fail(AttemptFailure.Kind.CONNECT, reason));
        });
    }

    /**
     * Once a new connection is usable: at once without TLS ({@code verified} gets null), else after
     * the handshake, and only if the endpoint proved {@code expected} (then {@code verified} gets it);
     * otherwise the connection is closed and {@code refused} gets the reason.
     */
    static void whenVerified(Channel channel, String expected, java.util.function.Consumer<String> verified,
                             java.util.function.Consumer<String> refused) {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null) {
            verified.accept(null);
            return;
        }
        ssl.handshakeFuture().addListener(handshake -> {
            String peer = handshake.isSuccess() ? peerIdentity(ssl) : null;
            if (peer == null || !peer.equals(expected)) {
                channel.close();
                refused.accept(handshake.isSuccess() ? "peer is not " + expected
                        : "TLS handshake failed: " + handshake.cause().getMessage());
                return;
            }
            verified.accept(peer);
        });
    }

    /** The client TLS context for mTLS clusters, or null while the proxy has no certificate. */
    SslContext tls() {
        return tls;
    }

    /** The TLS client handler of a new connection to {@code endpoint}. */
    static void addTls(Channel channel, SslContext context, EndpointState endpoint) {
        channel.pipeline().addLast(context.newHandler(channel.alloc(), endpoint.endpoint.address(), endpoint.endpoint.port()));
    }

    /** A client connection on {@code loop}: no Nagle delay, the proxy's buffers, the connect timeout. */
    static Bootstrap bootstrap(EventLoop loop) {
        return new Bootstrap()
                .group(loop)
                .channel(Transport.socketChannel())
                .resolver(EndpointResolver.INSTANCE)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, Transport.allocator())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS);
    }

    /** A connection whose exchange ended cleanly goes back to its pool (most recently used first); a stream just ends. */
    void release(Channel channel) {
        if (channel instanceof io.netty.handler.codec.http2.Http2StreamChannel) {
            channel.close();
            return;
        }
        UpstreamConnection connection = handler(channel);
        if (!channel.isActive() || connection == null || connection.pool.size() >= MAX_IDLE) {
            channel.close();
            return;
        }
        channel.config().setAutoRead(true); // it may have been paused for a slow caller
        connection.pool.addLast(channel);
    }

    private static String peerIdentity(SslHandler ssl) {
        try {
            return SpiffeId.of(ssl.engine().getSession().getPeerCertificates());
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }
}
