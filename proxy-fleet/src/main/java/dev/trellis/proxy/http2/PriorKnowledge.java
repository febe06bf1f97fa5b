package dev.trellis.proxy.http2;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flush.FlushConsolidationHandler;
import dev.trellis.proxy.exchange.Transport;

/**
 * The first bytes of a plaintext connection tell HTTP/2 with prior knowledge (h2c, RFC 9113 §3.3:
 * the client preface) from HTTP/1.1. HTTP/1.1 keeps the pipeline it has; HTTP/2 replaces it with
 * Netty's frame codec and one child channel per stream, each turned back into HTTP messages and
 * handed to its own exchange handler: every request on the connection is routed, balanced and
 * retried on its own. Flow control is HTTP/2's: a stream whose exchange reads no more gets no
 * window, so a slow upstream slows that stream only. A connection without an open stream for the
 * idle timeout is closed ({@link IdleConnection}).
 */
public final class PriorKnowledge extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
    /** Stateless, so one for every stream of every connection. */
    private static final Http2StreamFrameToHttpObjectCodec STREAM_CODEC = new Http2StreamFrameToHttpObjectCodec(true);
    private static final DropExtensionHeaders DROP_EXTENSION_HEADERS = new DropExtensionHeaders();
    /**
     * Flushes of the connection's many streams within one turn of the event loop, one write to the
     * socket: answers come from upstream reads on the same loop, so a flush outside the
     * connection's own read is consolidated too (a task at the end of the loop's turn flushes).
     */
    public static final int FLUSHES_PER_WRITE = 64;

    private final List<String> http1Handlers;
    private final Supplier<ChannelHandler> exchanges;
    private final int maxConcurrentStreams;
    private final Duration idleTimeout;

    /**
     * @param http1Handlers the names of the HTTP/1.1 handlers that leave the pipeline for HTTP/2
     * @param exchanges     makes the exchange handler of each stream
     * @param idleTimeout   how long the connection may have no open stream before it is closed; zero: for ever
     */
    public PriorKnowledge(List<String> http1Handlers, Supplier<ChannelHandler> exchanges, int maxConcurrentStreams,
                          Duration idleTimeout) {
        this.http1Handlers = http1Handlers;
        this.exchanges = exchanges;
        this.maxConcurrentStreams = maxConcurrentStreams;
        this.idleTimeout = idleTimeout;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int length = Math.min(in.readableBytes(), PREFACE.readableBytes());
        if (!ByteBufUtil.equals(in, in.readerIndex(), PREFACE, 0, length)) {
            ctx.pipeline().remove(this); // HTTP/1.1: the bytes go on to its decoder
            return;
        }
        if (length < PREFACE.readableBytes()) return; // a prefix of the preface so far: wait for the rest
        ChannelPipeline pipeline = ctx.pipeline();
        for (String name : http1Handlers) pipeline.remove(name);
        Http2Settings settings = Http2Settings.defaultSettings().maxConcurrentStreams(maxConcurrentStreams);
        pipeline.addAfter(ctx.name(), "h2-flush", new FlushConsolidationHandler(FLUSHES_PER_WRITE, true));
        Http2FrameCodec frames = Http2FrameCodecBuilder.forServer().initialSettings(settings).build();
        pipeline.addAfter("h2-flush", "h2-frames", frames);
        IdleConnection.watch(ctx.channel(), frames.connection(), idleTimeout);
        pipeline.addAfter("h2-frames", "h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel stream) {
                stream.config().setAutoRead(false);
                stream.config().setAllocator(Transport.allocator());
                stream.pipeline().addLast(STREAM_CODEC, DROP_EXTENSION_HEADERS, exchanges.get());
            }
        }));
        // The connection reads on its own now; each stream reads on demand under HTTP/2 flow control.
        ctx.channel().config().setAutoRead(true);
        pipeline.remove(this);
    }

    /** Netty's conversion adds {@code x-http2-*} headers (stream id, scheme); they describe this hop only. */
    @ChannelHandler.Sharable
    private static final class DropExtensionHeaders extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpMessage message) strip(message.headers());
            ctx.fireChannelRead(msg);
        }

        private static void strip(HttpHeaders headers) {
            List<CharSequence> found = null; // none but the stream id, usually: no list, no copy of the names
            for (java.util.Iterator<java.util.Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
                CharSequence name = it.next().getKey();
                if (name.length() >= 8 && io.netty.util.AsciiString.regionMatches(name, true, 0, "x-http2-", 0, 8)) {
                    if (found == null) found = new java.util.ArrayList<>(2);
                    found.add(name);
                }
            }
            if (found != null) found.forEach(headers::remove);
        }
    }
}
