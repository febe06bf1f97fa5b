package dev.trellis.proxy.exchange;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Predicate;

import dev.trellis.proxy.http1.EdgeRequestDecoder;
import dev.trellis.proxy.http2.PriorKnowledge;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * An HTTP port of the proxy: HTTP/2 with prior knowledge when the caller starts with its preface
 * (http2: one {@link ExchangeHandler} per stream), else HTTP/1.1: the strict request decoder
 * (http1), the response encoder, then one {@link ExchangeHandler} per connection, which reads on demand (auto-read off) so bodies stream with
 * back-pressure. Connections beyond the cap are closed as they are accepted.
 */
public final class HttpListener {

    private static final List<String> HTTP1_HANDLERS = List.of("http1-bytes", "http1-decoder", "http1-encoder", "http1-exchanges");

    private HttpListener() {
    }

    /** A traffic port: HTTP/1.1, or HTTP/2 when the caller starts with its preface (h2c, prior knowledge). */
    public static Channel bind(EventLoopGroup loops, InetSocketAddress address, ExchangeRouter router, boolean inbound,
                               Predicate<Channel> prepare, HttpLimits limits, CallerConnections connections) {
        return bind(loops, address, router, inbound, prepare, limits, connections, true);
    }

    /**
     * Binds {@code address} now. {@code prepare} may add a TLS handler to each new connection first
     * (it reads the transport in force at that moment), and answers false when it took the connection
     * over for another protocol (a {@code tcp} service's inbound side), so no HTTP handler is added; {@code connections}, when not null, caps them;
     * {@code http2} also takes h2c with prior knowledge.
     */
    public static Channel bind(EventLoopGroup loops, InetSocketAddress address, ExchangeRouter router, boolean inbound,
                               Predicate<Channel> prepare, HttpLimits limits, CallerConnections connections, boolean http2) {
        return Transport.listen(Transport.serverBootstrap(loops)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (connections != null && !connections.admit(channel)) {
                            channel.close();
                            return;
                        }
                        if (!prepare.test(channel)) return;
                        ExchangeHandler exchanges = new ExchangeHandler(router, inbound, limits);
                        if (http2) {
                            channel.pipeline().addLast(new PriorKnowledge(HTTP1_HANDLERS,
                                    () -> new ExchangeHandler(router, inbound, limits), limits.maxConcurrentStreams(), limits.idleTimeout()));
                        }
                        channel.pipeline()
                                .addLast(HTTP1_HANDLERS.get(0), new ExchangeHandler.FirstBytes(exchanges))
                                .addLast(HTTP1_HANDLERS.get(1), new EdgeRequestDecoder(limits))
                                .addLast(HTTP1_HANDLERS.get(2), new HttpResponseEncoder())
                                .addLast(HTTP1_HANDLERS.get(3), exchanges);
                    }
                }), address);
    }
}
