package dev.trellis.proxy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.trellis.proxy.tls.TlsFiles;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * A real HTTP/2 server over mTLS (Netty's frame codec), standing where another proxy would: it
 * selects {@code h2} by ALPN, numbers its connections, and answers by path: {@code /id} with
 * {@code <name> conn=<n> stream=<id>}, {@code /slow?ms=} after a delay, {@code /reset} with a
 * {@code RST_STREAM}, {@code /flaky} with 503 on every other {@code /flaky} request. {@link #goAway()} sends
 * {@code GOAWAY} on every open connection and keeps serving the streams under way.
 */
final class H2Peer implements AutoCloseable {
    final String name;
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger flakyHits = new AtomicInteger();
    final ConcurrentLinkedQueue<String> protocols = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Channel> open = new ConcurrentLinkedQueue<>();
    private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    H2Peer(String name, Path tlsDir) {
        this.name = name;
        var tls = TlsFiles.in(tlsDir).server(ClientAuth.REQUIRE);
        server = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        int number = connections.incrementAndGet();
                        open.add(channel);
                        channel.closeFuture().addListener(c -> open.remove(channel));
                        channel.pipeline().addLast(tls.newHandler(channel.alloc()), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
                                    protocols.add(String.valueOf(ctx.pipeline().get(SslHandler.class).applicationProtocol()));
                                    ctx.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                            new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                                @Override
                                                protected void initChannel(Http2StreamChannel stream) {
                                                    stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                                                            new Answer(number));
                                                }
                                            }));
                                    ctx.pipeline().remove(this);
                                }
                                ctx.fireUserEventTriggered(evt);
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** GOAWAY (NO_ERROR) on every open connection: streams under way finish, the client must open new ones elsewhere. */
    void goAway() {
        for (Channel c : List.copyOf(open)) c.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR)).syncUninterruptibly();
    }

    private final class Answer extends ChannelInboundHandlerAdapter {
        private final int connection;
        private HttpRequest request;

        Answer(int connection) {
            this.connection = connection;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest r) request = r;
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (!last || request == null) return;
            int hit = requests.getAndIncrement();
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            int stream = ((Http2StreamChannel) ctx.channel()).stream().id();
            String body = name + " conn=" + connection + " stream=" + stream;
            switch (uri.path()) {
                case "/reset" -> ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
                case "/slow" -> {
                    long ms = Long.parseLong(uri.parameters().get("ms").get(0));
                    ctx.executor().schedule(() -> reply(ctx, HttpResponseStatus.OK, body), ms, TimeUnit.MILLISECONDS);
                }
                case "/flaky" -> reply(ctx, flakyHits.getAndIncrement() % 2 == 0 ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK, body);
                default -> reply(ctx, HttpResponseStatus.OK, body);
            }
        }

        private void reply(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            ctx.writeAndFlush(response);
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
