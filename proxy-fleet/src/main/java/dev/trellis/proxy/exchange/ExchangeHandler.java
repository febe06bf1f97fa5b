package dev.trellis.proxy.exchange;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.trellis.proxy.http1.EdgeChecks;
import dev.trellis.proxy.http1.EdgeRequestDecoder;
import dev.trellis.proxy.upgrade.Tunnel;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * One caller connection: turns each request head into a {@link ProxyExchange}, streams its body to
 * it, and serves requests one at a time, so answers to pipelined requests leave in the order the
 * requests came. The connection reads only on demand (auto-read is off): the next request once the
 * current one is answered, the body while the upstream takes it. Pipelined requests therefore wait
 * in the socket, not in the proxy's memory: at most what one read brought is held here. Times out a
 * connection that stays idle between requests or sends its headers too slowly.
 */
final class ExchangeHandler extends ChannelInboundHandlerAdapter {
    private final ExchangeRouter router;
    private final boolean inbound;
    private final HttpLimits limits;
    private final EdgeChecks checks;
    /** What one read brought beyond the current request: the next requests' heads and bodies. */
    private final ArrayDeque<Object> waiting = new ArrayDeque<>(2);
    private final Runnable next = this::exchangeDone;
    private ProxyExchange current;
    private ChannelHandlerContext context;
    private ScheduledFuture<?> idleTimer;
    private ScheduledFuture<?> headerTimer;
    private boolean refused;

    ExchangeHandler(ExchangeRouter router, boolean inbound, HttpLimits limits) {
        this.router = router;
        this.inbound = inbound;
        this.limits = limits;
        this.checks = new EdgeChecks(limits);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // The connection turned out to speak HTTP/2 (its streams have their own handlers) or upgraded.
        cancel(idleTimer);
        cancel(headerTimer);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        awaitRequest();
        ctx.fireChannelActive();
    }

    /** Bytes arrived (before decoding): a request has begun, and its headers must be complete in time. */
    void bytesArrived() {
        if (current != null || headerTimer != null || refused) return;
        cancel(idleTimer);
        idleTimer = null;
        headerTimer = schedule(limits.headerTimeout().toNanos(), this::headersTooSlow);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest full && ctx.channel() instanceof io.netty.handler.codec.http2.Http2StreamChannel
                && full.decoderResult().isSuccess()) {
            // HTTP/2: a request that ended with its headers (END_STREAM) arrives as one message. Its head and
            // its end are handled as HTTP/1.1's decoder delivers them, so the body is seen to end, the upstream
            // request counts as sent and the upstream connection is kept for the next request. (HTTP/1.1's
            // decoder makes a FullHttpRequest only of what it could not read, which the edge checks refuse.)
            channelRead(ctx, new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers()));
            channelRead(ctx, new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
            return;
        }
        if (refused) {
            ReferenceCountUtil.release(msg);
        } else if (!waiting.isEmpty() || !dispatch(msg)) {
            waiting.add(msg);
        }
    }

    /** Hands {@code msg} to the request it belongs to; false when that request has not started yet. */
    private boolean dispatch(Object msg) {
        if (current != null) {
            if (msg instanceof HttpContent content && !(msg instanceof HttpRequest) && !current.requestBody().lastSeen()) {
                current.requestBody().arrived(content);
                return true;
            }
            return false;
        }
        if (msg instanceof HttpRequest request) start(request);
        else ReferenceCountUtil.release(msg); // the rest of a request that was already answered and closed
        return true;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (current != null) current.requestBody().flush();
        ctx.fireChannelReadComplete();
    }

    private void start(HttpRequest request) {
        cancel(headerTimer);
        headerTimer = null;
        cancel(idleTimer);
        idleTimer = null;
        EdgeChecks.Refusal refusal = checks.check(request);
        if (refusal != null) {
            ReferenceCountUtil.release(request);
            refuse(refusal.status(), refusal.reason());
            return;
        }
        boolean expectContinue = HttpUtil.is100ContinueExpected(request);
        if (expectContinue) request.headers().remove(HttpHeaderNames.EXPECT);
        boolean hasBody = HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
        RequestBody body = new RequestBody(context.channel(), limits, hasBody, expectContinue);
        current = new ProxyExchange(context.channel(), request, body, next);
        current.onUpgrade = this::upgradeTo;
        router.route(current, inbound);
    }

    /** The current exchange is over and the connection stays: the next request starts, or is read. */
    private void exchangeDone() {
        current = null;
        Object msg;
        while (current == null && !refused && (msg = waiting.peek()) != null) {
            waiting.poll();
            dispatch(msg);
        }
        // Pieces of the new current request's body that came in the same read.
        while (current != null && (msg = waiting.peek()) != null && dispatch(msg)) waiting.poll();
        if (current == null && !refused) awaitRequest();
    }

    /**
     * The exchange switched protocols: the connection stops speaking HTTP (the decoder passes bytes
     * on, the encoder and this handler leave) and is joined to {@code upstream}.
     */
    private void upgradeTo(Channel upstream) {
        cancel(idleTimer);
        cancel(headerTimer);
        current = null;
        refused = true;
        releaseWaiting();
        ChannelPipeline pipeline = context.pipeline();
        pipeline.remove(FirstBytes.class);
        pipeline.remove(HttpResponseEncoder.class);
        pipeline.get(EdgeRequestDecoder.class).passThrough();
        pipeline.remove(this);
        Tunnel.join(context.channel(), upstream, limits.streamIdleTimeout(), limits.upgradeMaxDuration());
    }

    private void awaitRequest() {
        if (!context.channel().isActive()) return;
        idleTimer = schedule(limits.idleTimeout().toNanos(), () -> context.close());
        context.read();
    }

    private void headersTooSlow() {
        headerTimer = null;
        if (current == null) refuse(408, "request headers not received in time");
    }

    /** Answers a request that cannot be served on this connection, then closes it. */
    private void refuse(int status, String reason) {
        refused = true;
        releaseWaiting();
        DefaultFullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.copiedBuffer(reason + "\n", StandardCharsets.UTF_8));
        answer.headers().set("x-trellis-error", reason).set(HttpHeaderNames.CONNECTION, "close")
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, answer.content().readableBytes());
        context.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }

    private ScheduledFuture<?> schedule(long nanos, Runnable task) {
        return nanos <= 0 ? null : context.executor().schedule(task, nanos, TimeUnit.NANOSECONDS);
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) timer.cancel(false);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null && ctx.channel().isWritable()) current.callerWritable();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel(idleTimer);
        cancel(headerTimer);
        if (current != null) current.abandon();
        current = null;
        releaseWaiting();
        ctx.fireChannelInactive();
    }

    private void releaseWaiting() {
        Object msg;
        while ((msg = waiting.poll()) != null) ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset by the caller or a TLS failure: nothing to answer on this connection any more.
        ctx.close();
    }

    /** Before the decoder: tells the handler that bytes of a request arrived, for the header timeout. */
    static final class FirstBytes extends ChannelInboundHandlerAdapter {
        private final ExchangeHandler handler;

        FirstBytes(ExchangeHandler handler) {
            this.handler = handler;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            handler.bytesArrived();
            ctx.fireChannelRead(msg);
        }
    }
}
