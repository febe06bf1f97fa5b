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
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * One caller connection: turns each request head into a {@link ProxyExchange}, streams its body to
 * it, and serves requests one at a time, so answers to pipelined requests leave in the order the
 * requests came. The connection reads while there is room for what it reads ({@link Reading}): it
 * pauses as soon as a read brings more than the current request (pipelined requests), or a body
 * piece the upstream cannot take yet, and reads on once the current request is answered or the
 * upstream drains. Pipelined requests therefore wait in the socket, not in the proxy's memory: at
 * most what one read brought is held here. Times out a connection that stays idle between requests
 * or sends its headers too slowly.
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
    /** An HTTP/2 stream: it is opened by its request's headers and ends with its answer, so it waits for nothing. */
    private boolean stream;
    /** What the connection waits for, and until when ({@link System#nanoTime()}); see {@link #checkDeadline()}. */
    private Wait waitingFor = Wait.NOTHING;
    private long deadline;
    /** The one timer of this connection, or null; it wakes at most {@link #step} after it was set. */
    private ScheduledFuture<?> timer;
    private final long step;
    private final Runnable check = this::checkDeadline;
    private boolean refused;

    private enum Wait { NOTHING, REQUEST, HEADERS }

    ExchangeHandler(ExchangeRouter router, boolean inbound, HttpLimits limits) {
        this.router = router;
        this.inbound = inbound;
        this.limits = limits;
        this.checks = new EdgeChecks(limits);
        this.step = shortest(limits.idleTimeout().toNanos(), limits.headerTimeout().toNanos());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
        stream = ctx.channel() instanceof Http2StreamChannel;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // The connection turned out to speak HTTP/2 (its streams have their own handlers) or upgraded.
        stopTimer();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        awaitRequest();
        ctx.fireChannelActive();
    }

    /** Bytes arrived (before decoding): a request has begun, and its headers must be complete in time. */
    void bytesArrived() {
        if (current != null || waitingFor == Wait.HEADERS || refused) return;
        waitFor(Wait.HEADERS, limits.headerTimeout().toNanos());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest full && stream && full.decoderResult().isSuccess()) {
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
            Reading.set(ctx.channel(), false);
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
        waitingFor = Wait.NOTHING;
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
        stopTimer();
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
        waitFor(Wait.REQUEST, limits.idleTimeout().toNanos());
        Reading.set(context.channel(), true);
    }

    /**
     * Waits for {@code what} for {@code nanos} (0: without a limit). Moving between waits costs no
     * timer operation: the connection's one timer, set when none is pending, wakes at most one
     * {@link #step} later and re-arms itself for what is left ({@link #checkDeadline()}). A new deadline
     * is at least a step away, so the pending timer always wakes before it passes. (A schedule and a
     * cancel per wait and request did the same; the throughput difference was within noise.)
     */
    private void waitFor(Wait what, long nanos) {
        waitingFor = nanos > 0 && !stream ? what : Wait.NOTHING;
        if (waitingFor == Wait.NOTHING) return;
        deadline = System.nanoTime() + nanos;
        if (timer == null) timer = context.executor().schedule(check, step, TimeUnit.NANOSECONDS);
    }

    private void checkDeadline() {
        timer = null;
        if (waitingFor == Wait.NOTHING || refused) return; // a request under way: re-armed when the next is awaited
        long left = deadline - System.nanoTime();
        if (left > 0) {
            timer = context.executor().schedule(check, Math.min(left, step), TimeUnit.NANOSECONDS);
        } else if (waitingFor == Wait.HEADERS) {
            waitingFor = Wait.NOTHING;
            refuse(408, "request headers not received in time");
        } else {
            waitingFor = Wait.NOTHING;
            context.close();
        }
    }

    private void stopTimer() {
        waitingFor = Wait.NOTHING;
        if (timer != null) timer.cancel(false);
        timer = null;
    }

    /** The shorter of two timeouts, a disabled one (0) left out; 0 when both are. */
    private static long shortest(long a, long b) {
        if (a <= 0) return Math.max(b, 0);
        return b <= 0 ? a : Math.min(a, b);
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

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null && ctx.channel().isWritable()) current.callerWritable();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stopTimer();
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
