package dev.trellis.proxy.upgrade;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * Two connections joined: after an {@code Upgrade} (WebSocket and the like), or for a {@code tcp}
 * service. Bytes flow both ways as they come, each side read only while the other takes more,
 * until either side closes (then the other is closed after what it was sent), nothing moved for
 * the idle limit, or the total limit passed. With half-close (TCP), the end of one side's input
 * (a FIN, or a TLS {@code close_notify}) only ends the other side's output the same way, and the
 * pair is closed once both directions ended. Both connections share one event loop (upstream
 * connections are opened on their caller's), so the pair needs no locks.
 */
public final class Tunnel {
    private final Channel caller;
    private final Channel upstream;
    private final long idleNanos;
    private final boolean halfClose;
    private final LongConsumer fromCaller;
    private final LongConsumer fromUpstream;
    private long lastActivity = System.nanoTime();
    private ScheduledFuture<?> idleTimer;
    private ScheduledFuture<?> totalTimer;
    private int directionsEnded;
    private boolean closed;

    private Tunnel(Channel caller, Channel upstream, Duration idle, boolean halfClose, LongConsumer fromCaller,
                   LongConsumer fromUpstream) {
        this.caller = caller;
        this.upstream = upstream;
        this.idleNanos = idle.toNanos();
        this.halfClose = halfClose;
        this.fromCaller = fromCaller;
        this.fromUpstream = fromUpstream;
    }

    /**
     * Joins {@code caller} and {@code upstream}, whose pipelines must pass raw bytes from here on.
     * {@code idle} and {@code total} of zero mean no limit.
     */
    public static void join(Channel caller, Channel upstream, Duration idle, Duration total) {
        new Tunnel(caller, upstream, idle, false, bytes -> { }, bytes -> { }).start(total);
    }

    /**
     * Joins two TCP connections with half-close passed through; {@code fromCaller} and
     * {@code fromUpstream} hear of every chunk of bytes moved each way.
     */
    public static void joinHalfClosing(Channel caller, Channel upstream, Duration idle, LongConsumer fromCaller,
                                       LongConsumer fromUpstream) {
        caller.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        upstream.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        new Tunnel(caller, upstream, idle, true, fromCaller, fromUpstream).start(Duration.ZERO);
    }

    private void start(Duration total) {
        caller.pipeline().addLast("trellis-tunnel", new Side(upstream, fromCaller));
        upstream.pipeline().addLast("trellis-tunnel", new Side(caller, fromUpstream));
        caller.config().setAutoRead(false);
        upstream.config().setAutoRead(false);
        if (idleNanos > 0) idleTimer = caller.eventLoop().schedule(this::checkIdle, idleNanos, TimeUnit.NANOSECONDS);
        if (!total.isZero()) totalTimer = caller.eventLoop().schedule(this::close, total.toNanos(), TimeUnit.NANOSECONDS);
        if (!caller.isActive() || !upstream.isActive()) {
            close();
            return;
        }
        caller.read();
        upstream.read();
    }

    private void checkIdle() {
        long quiet = System.nanoTime() - lastActivity;
        if (quiet >= idleNanos) close();
        else idleTimer = caller.eventLoop().schedule(this::checkIdle, idleNanos - quiet, TimeUnit.NANOSECONDS);
    }

    private void close() {
        if (closed) return;
        closed = true;
        if (idleTimer != null) idleTimer.cancel(false);
        if (totalTimer != null) totalTimer.cancel(false);
        for (Channel channel : new Channel[] {caller, upstream}) {
            if (channel.isActive()) channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** What {@code peer} was sent is flushed, then its output ends: a TLS close_notify, or a FIN. */
    private void endOutput(Channel peer) {
        SslHandler tls = peer.pipeline().get(SslHandler.class);
        if (tls != null) {
            peer.flush();
            tls.closeOutbound();
        } else if (peer instanceof DuplexChannel duplex) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(done -> duplex.shutdownOutput());
        } else {
            close();
            return;
        }
        if (++directionsEnded == 2) close();
    }

    /** One direction: what this side's connection reads goes to {@code peer}. */
    private final class Side extends ChannelInboundHandlerAdapter {
        private final Channel peer;
        private final LongConsumer moved;
        private boolean inputEnded;

        Side(Channel peer, LongConsumer moved) {
            this.peer = peer;
            this.moved = moved;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf bytes) || closed || inputEnded) {
                ReferenceCountUtil.release(msg); // the end of the upgrade answer, or bytes after the close
                return;
            }
            lastActivity = System.nanoTime();
            moved.accept(bytes.readableBytes());
            peer.write(bytes, peer.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            peer.flush();
            if (peer.isWritable() && !inputEnded) ctx.read(); // else the peer's writability change reads on
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) peer.read();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            boolean ended = evt instanceof ChannelInputShutdownEvent
                    || evt instanceof SslCloseCompletionEvent tls && tls.isSuccess();
            if (!ended || !halfClose) {
                ctx.fireUserEventTriggered(evt);
                return;
            }
            if (inputEnded) return;
            inputEnded = true;
            lastActivity = System.nanoTime();
            endOutput(peer);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            close();
        }
    }
}
