package dev.trellis.proxy.exchange;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;

/**
 * An HTTP/1.1 port of the proxy: Netty's codec, {@code 100 Continue} answered here, the request
 * joined whole (bodies are buffered so retries and mirrors can send them again), then one
 * {@link ExchangeHandler} per connection.
 */
public final class HttpListener {
    /** Largest request body the proxy buffers; a larger one is answered 413. */
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    private HttpListener() {
    }

    /**
     * Binds {@code address} now. {@code secure} may add a TLS handler to each new connection first
     * (it reads the transport in force at that moment).
     */
    public static Channel bind(EventLoopGroup loops, InetSocketAddress address, ExchangeRouter router, boolean inbound,
                               Consumer<Channel> secure) {
        return new ServerBootstrap()
                .group(loops)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, Transport.allocator())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        secure.accept(channel);
                        channel.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpServerExpectContinueHandler())
                                .addLast(new WholeMessages(MAX_BODY_BYTES))
                                .addLast(new ExchangeHandler(router, inbound));
                    }
                })
                .bind(address)
                .syncUninterruptibly()
                .channel();
    }
}
