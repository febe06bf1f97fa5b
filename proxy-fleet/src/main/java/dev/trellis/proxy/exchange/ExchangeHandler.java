package dev.trellis.proxy.exchange;

import java.util.ArrayDeque;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * One caller connection: turns each whole request into a {@link ProxyExchange} and serves them one
 * at a time, so answers to pipelined requests leave in the order the requests came.
 */
final class ExchangeHandler extends ChannelInboundHandlerAdapter {
    private final ExchangeRouter router;
    private final boolean inbound;
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>(2);
    private final Runnable next = this::startNext;
    private ProxyExchange current;
    private ChannelHandlerContext context;

    ExchangeHandler(ExchangeRouter router, boolean inbound) {
        this.router = router;
        this.inbound = inbound;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (current != null) {
            waiting.add(request);
            return;
        }
        start(request);
    }

    private void start(FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            refuse(request);
            return;
        }
        current = new ProxyExchange(context.channel(), request, next);
        router.route(current, inbound);
    }

    /** A request the codec could not read (bad syntax, body too large): answered, then the connection closes. */
    private void refuse(FullHttpRequest request) {
        HttpResponseStatus status = request.decoderResult().cause() instanceof TooLongFrameException
                ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE : HttpResponseStatus.BAD_REQUEST;
        request.release();
        DefaultFullHttpResponse bad = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
        bad.headers().set(HttpHeaderNames.CONNECTION, "close").setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        context.writeAndFlush(bad).addListener(ChannelFutureListener.CLOSE);
    }

    private void startNext() {
        current = null;
        FullHttpRequest request = waiting.poll();
        if (request == null) return;
        if (context.channel().isActive()) start(request);
        else request.release();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null) current.abandon();
        FullHttpRequest request;
        while ((request = waiting.poll()) != null) request.release();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset by the caller or a TLS failure: nothing to answer on this connection any more.
        ctx.close();
    }
}
