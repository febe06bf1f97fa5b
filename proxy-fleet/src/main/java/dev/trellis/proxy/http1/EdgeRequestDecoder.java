package dev.trellis.proxy.http1;

import java.util.List;

import dev.trellis.proxy.exchange.HttpLimits;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Netty's request decoder, stricter where a proxy must be: what one hop and the next could read
 * differently is refused rather than repaired (RFC 9112 §6.3, §5.2, §11.2). A request carrying both
 * {@code Content-Length} and {@code Transfer-Encoding}, a folded (obs-fold) header line, or a NUL in
 * its header section comes out as an invalid message, as Netty's own refusals do; everything after
 * it on the connection is discarded, since its framing can no longer be trusted.
 */
public final class EdgeRequestDecoder extends HttpRequestDecoder {
    private boolean inHead = true;
    /** Whether Netty has consumed part of the current head, so the buffer starts inside it. */
    private boolean headStarted;
    private boolean refused;
    private boolean passThrough;

    public EdgeRequestDecoder(HttpLimits limits) {
        super(new HttpDecoderConfig()
                .setMaxInitialLineLength((int) limits.maxRequestLineBytes().toBytes())
                .setMaxHeaderSize((int) limits.maxHeaderBytes().toBytes())
                .setMaxChunkSize(16 * 1024)
                .setAllowDuplicateContentLengths(false));
    }

    /** The connection switched protocols (an Upgrade): bytes from now on are passed on as they are. */
    public void passThrough() {
        passThrough = true;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (passThrough) {
            if (buffer.isReadable()) out.add(buffer.readRetainedSlice(buffer.readableBytes()));
            return;
        }
        if (refused) {
            buffer.skipBytes(buffer.readableBytes());
            return;
        }
        // Netty consumes whole header lines, so while in a header section the buffer starts at a line.
        if (inHead) {
            String problem = headProblem(buffer, headStarted);
            if (problem != null) {
                refuse(buffer, out, new InvalidRequest(problem));
                return;
            }
        }
        int before = out.size();
        int readerBefore = buffer.readerIndex();
        try {
            super.decode(ctx, buffer, out);
        } catch (InvalidRequest e) {
            refuse(buffer, out, e);
            return;
        }
        if (inHead && buffer.readerIndex() != readerBefore) headStarted = true;
        for (int i = before; i < out.size(); i++) {
            Object decoded = out.get(i);
            if (decoded instanceof HttpMessage message && message.decoderResult().isFailure()) refused = true;
            if (decoded instanceof LastHttpContent) {
                inHead = true;
                headStarted = false;
            } else if (decoded instanceof HttpMessage) {
                inHead = false;
            }
        }
    }

    private void refuse(ByteBuf buffer, List<Object> out, Exception cause) {
        refused = true;
        buffer.skipBytes(buffer.readableBytes());
        HttpMessage invalid = createInvalidMessage();
        invalid.setDecoderResult(DecoderResult.failure(cause));
        out.add(invalid);
    }

    /**
     * A folded line or a NUL in the header section seen so far, or null; stops at its end (the first
     * empty line, except empty lines before the request line, which RFC 9112 §2.2 lets a server skip).
     */
    private static String headProblem(ByteBuf buffer, boolean headStarted) {
        int end = buffer.writerIndex();
        boolean lineStart = true;
        boolean emptyLine = true;
        boolean anyLine = headStarted;
        for (int i = buffer.readerIndex(); i < end; i++) {
            byte b = buffer.getByte(i);
            if (b == 0) return "NUL in the header section";
            if (lineStart && (b == ' ' || b == '\t')) return "folded or space-padded header line";
            if (b == '\n') {
                if (emptyLine && anyLine) return null; // the empty line: the header section ends here
                if (!emptyLine) anyLine = true;
                lineStart = true;
                emptyLine = true;
            } else {
                lineStart = false;
                if (b != '\r') emptyLine = false;
            }
        }
        return null;
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        // RFC 9112 §6.3 allows a server to go by Transfer-Encoding; a proxy whose next hop may go by
        // Content-Length instead would be a request-smuggling gap, so the message is refused.
        throw new InvalidRequest("both Content-Length and Transfer-Encoding");
    }

    /** Why a request was refused by this decoder rather than by Netty's. */
    static final class InvalidRequest extends IllegalArgumentException {
        InvalidRequest(String reason) {
            super(reason, null);
        }
    }
}
