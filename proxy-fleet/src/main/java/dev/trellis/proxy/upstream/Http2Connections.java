package dev.trellis.proxy.upstream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

import dev.trellis.proxy.exchange.Transport;
import dev.trellis.proxy.http2.PriorKnowledge;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Promise;

/**
 * HTTP/2 to endpoints: h2c with prior knowledge to a gRPC app, or h2 over mTLS, selected by ALPN,
 * to another proxy. Each attempt is a new stream on a shared connection per endpoint and event loop;
 * a connection takes streams up to the endpoint's {@code SETTINGS_MAX_CONCURRENT_STREAMS}, beyond
 * that another is opened. A connection that received {@code GOAWAY} takes no new stream (they go to
 * a new connection) while the streams it carries finish; a stream it refused (above the GOAWAY's last
 * stream id, or reset with {@code REFUSED_STREAM}) is sent once more. Any other stream reset ends
 * only its own attempt, as a {@code reset}. A
 * stream carries HTTP messages through the same {@link UpstreamConnection} handler an HTTP/1.1
 * connection has, so an attempt cannot tell them apart; trailers arrive on the last piece of the body.
 * An endpoint that does not select {@code h2} is marked HTTP/1.1-only and its attempts connect again
 * with HTTP/1.1.
 */
final class Http2Connections {
    /** Stateless, so one for every stream to every endpoint. */
    private static final Http2StreamFrameToHttpObjectCodec STREAM_CODEC = new Http2StreamFrameToHttpObjectCodec(false);
    /** Streams a connection is given before the endpoint's SETTINGS say how many it takes. */
    private static final int STREAMS_BEFORE_SETTINGS = 100;
    private static final Exception NOT_H2 = new Exception("the endpoint did not select h2", null, false, false) {
    };

    private final FastThreadLocal<Map<EndpointState, List<Connection>>> connections = new FastThreadLocal<>() {
        @Override
        protected Map<EndpointState, List<Connection>> initialValue() {
            return new WeakHashMap<>();
        }
    };

    /** One HTTP/2 connection to an endpoint, on one event loop (so its counts need no lock). */
    private static final class Connection {
        final Promise<Channel> ready;
        Channel channel;
        int streams;
        boolean draining;

        Connection(Promise<Channel> ready) {
            this.ready = ready;
        }

        boolean takesAnotherStream() {
            if (draining || ready.isDone() && !ready.isSuccess()) return false;
            if (channel == null) return streams < STREAMS_BEFORE_SETTINGS;
            Http2FrameCodec codec = channel.pipeline().get(Http2FrameCodec.class);
            return channel.isActive() && codec != null && streams < codec.connection().local().maxActiveStreams();
        }
    }

    /**
     * Opens a stream to {@code endpoint} for {@code attempt}, connecting first when no connection
     * takes another stream. {@code tls} null: h2c with prior knowledge; else mTLS with ALPN, the
     * endpoint proving {@code expected}.
     */
    void stream(EventLoop loop, EndpointState endpoint, Attempt attempt, SslContext tls, String expected) {
        List<Connection> open = connections.get().computeIfAbsent(endpoint, e -> new ArrayList<>());
        Connection connection = null;
        for (Connection c : open) {
            if (c.takesAnotherStream()) {
                connection = c;
                break;
            }
        }
        if (connection == null) {
            connection = connect(loop, endpoint, tls, expected, open);
            open.add(connection);
        }
        Connection chosen = connection;
        chosen.streams++;
        chosen.ready.addListener(done -> {
            if (!done.isSuccess()) {
                chosen.streams--;
                if (done.cause() == NOT_H2) attempt.reconnect();
                else attempt.fail(AttemptFailure.Kind.CONNECT, String.valueOf(done.cause().getMessage()));
                return;
            }
            openStream(chosen, attempt);
        });
    }

    private static Connection connect(EventLoop loop, EndpointState endpoint, SslContext tls, String expected, List<Connection> open) {
        Connection connection = new Connection(loop.newPromise());
        ChannelFuture connect = UpstreamClient.bootstrap(loop)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (tls != null) UpstreamClient.addTls(channel, tls, endpoint);
                        else speakHttp2(channel.pipeline(), connection);
                    }
                })
                .connect(endpoint.endpoint.address(), endpoint.endpoint.port());
        connect.channel().closeFuture().addListener(closed -> open.remove(connection));
        connect.addListener(done -> {
            if (!done.isSuccess()) {
                connection.ready.tryFailure(done.cause());
                return;
            }
            Channel channel = connect.channel();
            UpstreamClient.whenVerified(channel, expected, peer -> {
                SslHandler ssl = channel.pipeline().get(SslHandler.class);
                if (ssl != null && !ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
                    endpoint.http1Only = true;
                    channel.close();
                    connection.ready.tryFailure(NOT_H2);
                    return;
                }
                if (ssl != null) speakHttp2(channel.pipeline(), connection);
                connection.channel = channel;
                connection.ready.trySuccess(channel);
            }, reason -> connection.ready.tryFailure(new java.net.ConnectException(reason)));
        });
        return connection;
    }

    /** Netty's frame codec, a watch for GOAWAY, and one child channel per stream. */
    private static void speakHttp2(ChannelPipeline pipeline, Connection connection) {
        pipeline.addLast(new FlushConsolidationHandler(PriorKnowledge.FLUSHES_PER_WRITE, true),
                Http2FrameCodecBuilder.forClient().build(),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof Http2GoAwayFrame) connection.draining = true; // new streams go elsewhere
                        ctx.fireChannelRead(msg);
                    }
                },
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRegistered(ChannelHandlerContext ctx) {
                        ctx.close(); // the endpoint may not open streams (no push)
                    }
                }));
    }

    private static void openStream(Connection connection, Attempt attempt) {
        new Http2StreamChannelBootstrap(connection.channel).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.config().setAllocator(Transport.allocator());
                stream.pipeline().addLast(STREAM_CODEC, new UpstreamConnection());
            }
        }).open().addListener(opened -> {
            if (!opened.isSuccess()) {
                connection.streams--;
                attempt.fail(AttemptFailure.Kind.CONNECT, "no stream: " + opened.cause().getMessage());
                return;
            }
            Channel stream = (Channel) opened.getNow();
            stream.closeFuture().addListener(closed -> connection.streams--);
            // Never "pooled": a stream that the endpoint refused is known as such (UpstreamConnection), any
            // other reset may have been acted on.
            attempt.connected(stream, false);
        });
    }
}
