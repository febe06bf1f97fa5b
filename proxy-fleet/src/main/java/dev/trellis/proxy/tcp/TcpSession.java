package dev.trellis.proxy.tcp;

import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLPeerUnverifiedException;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.proxy.tls.SpiffeId;
import dev.trellis.proxy.upgrade.Tunnel;
import dev.trellis.proxy.upstream.TcpUpstream;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * One caller connection to a {@code tcp} service. It waits for the caller's TLS handshake when the
 * port takes TLS (inbound under STRICT or PERMISSIVE: the caller's SPIFFE ID is then known), checks
 * the inbound access rules against that identity, connects to the upstream ({@link TcpUpstream}),
 * then joins the two connections ({@link Tunnel#joinHalfClosing}). Bytes the caller sent before the
 * upstream was connected (one read's worth: nothing is read meanwhile) go first. A caller refused
 * or left without an upstream is closed, which is all a TCP caller can be told.
 */
final class TcpSession extends ChannelInboundHandlerAdapter {
    /** Any rule of a tcp service's access list covers every path (the compiler refuses paths and methods there). */
    private static final String ANY_PATH = "/";
    private static final String NO_METHOD = "";

    private final String direction;
    private final String service;
    private final TcpUpstream upstream;
    private final AccessControl access;
    private final TcpLimits limits;
    private final TcpMetrics metrics;
    private final List<Object> early = new ArrayList<>();
    private boolean decided;
    private boolean callerGone;

    /** {@code access} is null on the outbound side: the callee's proxy checks who may call. */
    TcpSession(String direction, String service, TcpUpstream upstream, AccessControl access, TcpLimits limits, TcpMetrics metrics) {
        this.direction = direction;
        this.service = service;
        this.upstream = upstream;
        this.access = access;
        this.limits = limits;
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        boolean tls = ctx.pipeline().get(SslHandler.class) != null || ctx.pipeline().get(OptionalSslHandler.class) != null;
        if (tls) ctx.read(); // the handshake, or the first bytes that tell TLS from plaintext
        else decide(ctx, null);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent handshake && !decided) {
            if (!handshake.isSuccess()) {
                ctx.close();
                return;
            }
            decide(ctx, peerIdentity(ctx.pipeline().get(SslHandler.class)));
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        early.add(msg);
        // Plaintext on a port that also takes TLS (PERMISSIVE): bytes without a handshake, so no identity.
        if (!decided && ctx.pipeline().get(SslHandler.class) == null) decide(ctx, null);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!decided) ctx.read();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        callerGone = true;
        release();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private void decide(ChannelHandlerContext ctx, String identity) {
        decided = true;
        if (access != null && access.decide(identity, ANY_PATH, NO_METHOD).action() != AccessControl.Action.ALLOW) {
            metrics.outcome(direction, service, "denied");
            ctx.close();
            return;
        }
        Channel caller = ctx.channel();
        upstream.connect(caller.eventLoop(), (int) limits.connectTimeout().toMillis(), new TcpUpstream.Outcome() {
            @Override
            public void connected(Channel connection, Runnable done) {
                connection.closeFuture().addListener(closed -> done.run());
                if (callerGone) {
                    connection.close();
                    return;
                }
                metrics.outcome(direction, service, "connected");
                Runnable gone = metrics.opened();
                connection.closeFuture().addListener(closed -> gone.run());
                Counter fromCaller = metrics.bytes(direction, service, "caller");
                Counter fromUpstream = metrics.bytes(direction, service, "upstream");
                ctx.pipeline().remove(TcpSession.this);
                for (Object bytes : early) {
                    if (bytes instanceof io.netty.buffer.ByteBuf buf) fromCaller.increment(buf.readableBytes());
                    connection.write(bytes, connection.voidPromise());
                }
                early.clear();
                connection.flush();
                Tunnel.joinHalfClosing(caller, connection, limits.idleTimeout(), fromCaller::increment, fromUpstream::increment);
            }

            @Override
            public void endpointFailed(String endpoint, String detail) {
                metrics.connectFailure(direction, service);
            }

            @Override
            public void failed(String reason, String detail) {
                metrics.outcome(direction, service, reason);
                release();
                caller.close();
            }
        });
    }

    private void release() {
        early.forEach(ReferenceCountUtil::release);
        early.clear();
    }

    private static String peerIdentity(SslHandler ssl) {
        try {
            return ssl == null ? null : SpiffeId.of(ssl.engine().getSession().getPeerCertificates());
        } catch (SSLPeerUnverifiedException e) {
            return null; // PERMISSIVE: TLS without a client certificate
        }
    }
}
