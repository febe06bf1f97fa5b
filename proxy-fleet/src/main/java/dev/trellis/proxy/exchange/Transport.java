package dev.trellis.proxy.exchange;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetSocketAddress;

/**
 * Linux's native epoll transport when it loads (fewer allocations and syscalls), else NIO; and the
 * buffer allocator of every connection.
 */
public final class Transport {
    private static final boolean EPOLL = Epoll.isAvailable();
    /**
     * Netty's pooled allocator with one arena of 1 MiB chunks and caches on the event loops only:
     * in a JFR profile under load it spent a third of the time allocating that Netty 4.2's default
     * adaptive allocator did, and a sidecar with one or two event loops needs no more arenas.
     */
    private static final ByteBufAllocator ALLOCATOR = new PooledByteBufAllocator(true, 1, 1, 8192, 7, 256, 64, false);

    private Transport() {
    }

    public static EventLoopGroup eventLoops(int threads) {
        IoHandlerFactory io = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("trellis-loop"), io);
    }

    public static ByteBufAllocator allocator() {
        return ALLOCATOR;
    }

    public static Class<? extends ServerChannel> serverChannel() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /**
     * A listening port's bootstrap: a deep accept queue, no Nagle delay, the proxy's buffers, and
     * connections that read nothing until their handler starts reading (auto-read off at first, for
     * back-pressure; {@link Reading}).
     */
    public static io.netty.bootstrap.ServerBootstrap serverBootstrap(EventLoopGroup loops) {
        return new io.netty.bootstrap.ServerBootstrap()
                .group(loops)
                .channel(serverChannel())
                .option(io.netty.channel.ChannelOption.SO_BACKLOG, 1024)
                .childOption(io.netty.channel.ChannelOption.TCP_NODELAY, true)
                .childOption(io.netty.channel.ChannelOption.AUTO_READ, false)
                .childOption(io.netty.channel.ChannelOption.ALLOCATOR, ALLOCATOR);
    }

    /**
     * Binds {@code bootstrap} to {@code address} and answers the listening channel; a port that cannot be
     * taken fails with a message naming the address (Netty's own exception, an IOException thrown
     * unchecked, names neither it nor the setting).
     */
    public static Channel listen(io.netty.bootstrap.ServerBootstrap bootstrap, InetSocketAddress address) {
        ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("cannot listen on " + address + ": " + bound.cause().getMessage(), bound.cause());
        }
        return bound.channel();
    }

    public static Class<? extends SocketChannel> socketChannel() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
