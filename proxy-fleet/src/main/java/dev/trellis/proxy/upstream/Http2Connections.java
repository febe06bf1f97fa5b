package dev.trellis.proxy.upstream;

import java.util.Map;
import java.util.WeakHashMap;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * HTTP/2 to endpoints that speak only that (a gRPC app: h2c with prior knowledge): one connection per
 * endpoint and event loop, a new stream for every attempt. A stream carries HTTP messages through the
 * same {@link UpstreamConnection} handler an HTTP/1.1 connection has, so an attempt cannot tell them
 * apart; trailers arrive on the last piece of the body.
 */
final class Http2Connections {
    private final FastThreadLocal<Map<EndpointState, ChannelFuture>> connections = new FastThreadLocal<>() {
        @Override
        protected Map<EndpointState, ChannelFuture> initialValue() {
            return new WeakHashMap<>();
        }
    };

    /** Opens a stream to {@code endpoint} for {@code attempt}, connecting first when there is no live connection. */
    void stream(EventLoop loop, EndpointState endpoint, Attempt attempt) {
        Map<EndpointState, ChannelFuture> byEndpoint = connections.get();
        ChannelFuture existing = byEndpoint.get(endpoint);
        if (existing != null && (!existing.isDone() || existing.isSuccess() && existing.channel().isActive())) {
            whenConnected(existing, attempt); // streams share the connection, also one still connecting
            return;
        }
        ChannelFuture connect = UpstreamClient.bootstrap(loop)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRegistered(ChannelHandlerContext ctx) {
                                        ctx.close(); // the endpoint may not open streams (no push)
                                    }
                                }));
                    }
                })
                .connect(endpoint.endpoint.address(), endpoint.endpoint.port());
        byEndpoint.put(endpoint, connect);
        connect.channel().closeFuture().addListener(closed -> byEndpoint.remove(endpoint, connect));
        whenConnected(connect, attempt);
    }

    private static void whenConnected(ChannelFuture connect, Attempt attempt) {
        connect.addListener(done -> {
            if (!done.isSuccess()) {
                attempt.fail(AttemptFailure.Kind.CONNECT, String.valueOf(done.cause().getMessage()));
                return;
            }
            open(connect.channel(), attempt);
        });
    }

    private static void open(Channel connection, Attempt attempt) {
        new Http2StreamChannelBootstrap(connection).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new UpstreamConnection());
            }
        }).open().addListener(opened -> {
            if (!opened.isSuccess()) {
                attempt.fail(AttemptFailure.Kind.CONNECT, "no stream: " + opened.cause().getMessage());
                return;
            }
            attempt.connected((Channel) opened.getNow(), false);
        });
    }
}
