package dev.trellis.proxy.upgrade;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Two connections joined after an {@code Upgrade} (WebSocket and the like): bytes flow both ways as
 * they come, each side read only while the other takes more, until either side closes (then the
 * other is closed after what it was sent), nothing moved for the idle limit, or the total limit passed.
 * Both connections share one event loop (upstream connections are opened on their caller's), so the
 * pair needs no locks.
 */
public final class Tunnel {
    private final Channel caller;
    private final Channel upstream;
    private final long idleNanos;
    private long lastActivity = System.nanoTime();
    private ScheduledFuture<?> idleTimer;
    private ScheduledFuture<?> totalTimer;
    private boolean closed;

    private Tunnel(Channel caller, Channel upstream, Duration idle) {
        this.caller = caller;
        this.upstream = upstream;
        this.idleNanos = idle.toNanos();
    }

    /**
     * Joins {@code caller} and {@code upstream}, whose pipelines must pass raw bytes from here on.
     * {@code idle} and {@code total} of zero mean no limit.
     */
    public static void join(Channel caller, Channel upstream, Duration idle, Duration total) {
        Tunnel tunnel = new Tunnel(caller, upstream, idle);
        caller.pipeline().addLast("trellis-tunnel", tunnel.new Side(upstream));
        upstream.pipeline().addLast("trellis-tunnel", tunnel.new Side(caller));
        caller.config().setAutoRead(false);
        upstream.config().setAutoRead(false);
        if (tunnel.idleNanos > 0) tunnel.idleTimer = caller.eventLoop().schedule(tunnel::checkIdle, tunnel.idleNanos, TimeUnit.NANOSECONDS);
        if (!total.isZero()) tunnel.totalTimer = caller.eventLoop().schedule(tunnel::close, total.toNanos(), TimeUnit.NANOSECONDS);
        if (!caller.isActive() || !upstream.isActive()) {
            tunnel.close();
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

    /** One direction: what this side's connection reads goes to {@code peer}. */
    private final class Side extends ChannelInboundHandlerAdapter {
        private final Channel peer;

        Side(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf bytes) || closed) {
                ReferenceCountUtil.release(msg); // the end of the upgrade answer, or bytes after the close
                return;
            }
            lastActivity = System.nanoTime();
            peer.write(bytes, peer.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            peer.flush();
            if (peer.isWritable()) ctx.read(); // else the peer's writability change reads on
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) peer.read();
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
