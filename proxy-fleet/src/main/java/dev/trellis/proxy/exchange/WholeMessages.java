package dev.trellis.proxy.exchange;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Joins a decoded HTTP message and its content into one {@link FullHttpMessage}, like Netty's
 * {@code HttpObjectAggregator} but without its composite buffer and bookkeeping for the common
 * case of no body or a body in one piece: that piece becomes the message's content as it is. The
 * message keeps the decoder's headers object (no copy). A body over the limit fails the message
 * (a request answered 400 by the exchange handler; an upstream answer drops the connection).
 */
public final class WholeMessages extends ChannelInboundHandlerAdapter {
    private final int maxBytes;
    private HttpMessage head;
    private ByteBuf body;
    private boolean tooLong;

    public WholeMessages(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpMessage) {
            ctx.fireChannelRead(msg); // the decoder's own answer to a message it could not read
        } else if (msg instanceof HttpMessage message) {
            head = message;
        } else if (msg instanceof HttpContent content && head != null) {
            append(content);
            if (content instanceof LastHttpContent last) complete(ctx, last);
            content.release();
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void append(HttpContent content) {
        ByteBuf data = content.content();
        if (!data.isReadable() || tooLong) return;
        int size = (body == null ? 0 : body.readableBytes()) + data.readableBytes();
        if (size > maxBytes) {
            tooLong = true;
            return;
        }
        if (body == null) {
            body = data.retain();
        } else if (body instanceof CompositeByteBuf composite) {
            composite.addComponent(true, data.retain());
        } else {
            CompositeByteBuf composite = data.alloc().compositeBuffer();
            composite.addComponent(true, body);
            composite.addComponent(true, data.retain());
            body = composite;
        }
    }

    private void complete(ChannelHandlerContext ctx, LastHttpContent last) {
        ByteBuf content = body == null ? Unpooled.EMPTY_BUFFER : body;
        FullHttpMessage whole = switch (head) {
            case HttpRequest request -> new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri(),
                    content, request.headers(), last.trailingHeaders());
            case HttpResponse response -> new DefaultFullHttpResponse(response.protocolVersion(), response.status(), content,
                    response.headers(), last.trailingHeaders());
            default -> throw new IllegalStateException("neither request nor response: " + head);
        };
        DecoderResult result = tooLong ? DecoderResult.failure(new TooLongFrameException("body over " + maxBytes + " bytes"))
                : !head.decoderResult().isSuccess() ? head.decoderResult() : last.decoderResult();
        whole.setDecoderResult(result);
        head = null;
        body = null;
        tooLong = false;
        ctx.fireChannelRead(whole);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (body != null) body.release();
        body = null;
        head = null;
        ctx.fireChannelInactive();
    }
}
