package dev.trellis.proxy.upstream;

import java.util.ArrayDeque;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a connection to an endpoint: hands its one answer at a time to the attempt
 * that sent the request, and takes the connection out of its idle pool when the endpoint closes it.
 */
final class UpstreamConnection extends ChannelInboundHandlerAdapter {
    /** The attempt waiting for this connection's answer; null while the connection is idle. */
    Attempt current;
    /** The idle pool this connection returns to, set by the pool. */
    ArrayDeque<io.netty.channel.Channel> pool;
    /** The SPIFFE ID the endpoint proved at the TLS handshake; null on plaintext. */
    String peerIdentity;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Attempt attempt = current;
        if (attempt == null || !(msg instanceof FullHttpResponse response) || !response.decoderResult().isSuccess()) {
            // An answer nobody asked for, or one that could not be read: the connection is unusable.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        int status = response.status().code();
        if (status < 200 && status != 101) {
            response.release(); // an interim answer (103 Early Hints...): the final one follows
            return;
        }
        current = null;
        attempt.answered(response);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (pool != null) pool.remove(ctx.channel());
        Attempt attempt = current;
        current = null;
        if (attempt != null) attempt.fail(AttemptFailure.Kind.RESET, "connection closed by the endpoint");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Closing ends the attempt under way, if any, as a reset (channelInactive).
        ctx.close();
    }
}
