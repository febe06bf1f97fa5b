package dev.trellis.proxy.exchange;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

import dev.trellis.proxy.http1.EdgeRequestDecoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * An HTTP/1.1 port of the proxy: the strict request decoder (http1), the response encoder, then one
 * {@link ExchangeHandler} per connection, which reads on demand (auto-read off) so bodies stream with
 * back-pressure. Connections beyond the cap are closed as they are accepted.
 */
public final class HttpListener {

    private HttpListener() {
    }

    /**
     * Binds {@code address} now. {@code secure} may add a TLS handler to each new connection first
     * (it reads the transport in force at that moment); {@code connections}, when not null, caps them.
     */
    public static Channel bind(EventLoopGroup loops, InetSocketAddress address, ExchangeRouter router, boolean inbound,
                               Consumer<Channel> secure, HttpLimits limits, CallerConnections connections) {
        return new ServerBootstrap()
                .group(loops)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOCATOR, Transport.allocator())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (connections != null && !connections.admit(channel)) {
                            channel.close();
                            return;
                        }
                        secure.accept(channel);
                        ExchangeHandler exchanges = new ExchangeHandler(router, inbound, limits);
                        channel.pipeline()
                                .addLast(new ExchangeHandler.FirstBytes(exchanges))
                                .addLast(new EdgeRequestDecoder(limits))
                                .addLast(new HttpResponseEncoder())
                                .addLast(exchanges);
                    }
                })
                .bind(address)
                .syncUninterruptibly()
                .channel();
    }
}
