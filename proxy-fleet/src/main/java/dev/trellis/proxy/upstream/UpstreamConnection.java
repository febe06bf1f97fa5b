package dev.trellis.proxy.upstream;

import java.util.ArrayDeque;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a connection to an endpoint: hands the answer head and then each piece of its
 * body to the attempt that sent the request, and takes the connection out of its idle pool when the
 * endpoint closes it.
 */
final class UpstreamConnection extends ChannelInboundHandlerAdapter {
    /** The attempt this connection works for; null while the connection is idle. */
    Attempt current;
    /** The idle pool this connection returns to, set by the pool. */
    ArrayDeque<Channel> pool;
    /** The SPIFFE ID the endpoint proved at the TLS handshake; null on plaintext. */
    String peerIdentity;
    private static final String[] GRPC_STATUS = {"grpc-status", "grpc-message", "grpc-status-details-bin"};
    /**
     * An HTTP/2 endpoint refused this stream unprocessed (RST_STREAM REFUSED_STREAM, or a GOAWAY below
     * its id, RFC 9113 §8.7): the request may be sent again whatever its method.
     */
    private boolean refused;
    /** An interim answer (1xx) was read: its empty end is not the final answer's. */
    private boolean interim;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2ResetFrame reset) {
            refused |= reset.errorCode() == Http2Error.REFUSED_STREAM.code(); // the stream closes next
            return;
        }
        Attempt attempt = current;
        if (attempt == null || msg instanceof HttpResponse bad && bad.decoderResult().isFailure()
                || msg instanceof HttpContent broken && broken.decoderResult().isFailure()) {
            // An answer nobody asked for, or one that could not be read: the connection is unusable.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (msg instanceof FullHttpResponse full) {
            // An HTTP/2 answer that ended with its headers (gRPC's trailers-only): a head and a last piece.
            // Its gRPC status moves to the trailers, where every later hop (HTTP/1.1 chunked included) carries it.
            HttpResponse head = new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers());
            DefaultLastHttpContent last = new DefaultLastHttpContent(full.content(), full.trailingHeaders());
            for (String name : GRPC_STATUS) {
                String value = head.headers().get(name);
                if (value == null) continue;
                head.headers().remove(name);
                last.trailingHeaders().set(name, value);
            }
            msg = last;
            if (full.status().code() >= 200) attempt.answered(head);
        }
        if (msg instanceof HttpResponse response) {
            int status = response.status().code();
            if (status < 200 && status != 101) {
                interim = true; // 100 Continue, 103 Early Hints...: the final answer follows
            } else {
                interim = false;
                attempt.answered(response);
            }
        }
        if (msg instanceof HttpContent content) {
            if (interim) {
                content.release();
                if (content instanceof LastHttpContent) interim = false;
            } else {
                attempt.content(content);
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Attempt attempt = current;
        if (attempt != null) attempt.readComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Attempt attempt = current;
        if (attempt != null && ctx.channel().isWritable()) attempt.upstreamWritable();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2GoAwayFrame goAway) {
            refused = true; // delivered to the streams above the GOAWAY's last stream id, which close next
            goAway.release();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (pool != null) pool.remove(ctx.channel());
        Attempt attempt = current;
        current = null;
        if (attempt == null) return;
        if (refused) attempt.refused();
        else attempt.closed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Closing ends the attempt under way, if any, as a reset (channelInactive).
        ctx.close();
    }
}
