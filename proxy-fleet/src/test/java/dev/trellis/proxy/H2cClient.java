package dev.trellis.proxy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

/**
 * A real HTTP/2 client (Netty's frame codec, one stream channel per request) speaking h2c with
 * prior knowledge over one connection, for tests that need many streams on it.
 */
final class H2cClient implements AutoCloseable {
    private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel connection;

    H2cClient(int port) {
        connection = new Bootstrap().group(loops).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new SimpleChannelInboundHandler<Object>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                                        // no pushed streams expected
                                    }
                                }));
                    }
                })
                .connect(new InetSocketAddress("127.0.0.1", port)).syncUninterruptibly().channel();
    }

    /** Sends one request on a new stream of the connection; the answer comes whole. */
    CompletableFuture<Answer> send(HttpMethod method, String authority, String path, String body) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        new Http2StreamChannelBootstrap(connection).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new HttpObjectAggregator(1 << 20),
                        new SimpleChannelInboundHandler<FullHttpResponse>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
                                answer.complete(new Answer(response.status().code(), response.content().toString(StandardCharsets.UTF_8),
                                        ctx.channel().parent().id().asShortText()));
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                answer.completeExceptionally(new IllegalStateException("stream closed without an answer"));
                            }
                        });
            }
        }).open().addListener(opened -> {
            if (!opened.isSuccess()) {
                answer.completeExceptionally(opened.cause());
                return;
            }
            Http2StreamChannel stream = (Http2StreamChannel) opened.getNow();
            DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path,
                    body == null ? Unpooled.EMPTY_BUFFER : Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            request.headers().set(HttpHeaderNames.HOST, authority).set("x-http2-scheme", "http");
            stream.writeAndFlush(request);
        });
        return answer;
    }

    /** Status, body and the id of the connection the stream ran on. */
    record Answer(int status, String body, String connection) {
    }

    @Override
    public void close() {
        connection.close().syncUninterruptibly();
        loops.shutdownGracefully();
    }
}
