package dev.trellis.proxy.exchange;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * A caller's request body, streamed: each piece goes to the attempt sending it as it arrives, and the
 * caller is read from only while that attempt's connection takes more (reading pauses otherwise),
 * so a slow upstream slows the caller instead of filling the proxy's memory.
 * The first {@link HttpLimits#replayBuffer()} bytes are also held, so while the whole body fits in
 * them it can be sent again: to a retry, or to a mirror once complete. A body that outgrows the
 * buffer is sent once; the request is then neither retried nor mirrored.
 */
public final class RequestBody implements BodySource {
    private final Channel caller;
    private final long replayLimit;
    private final long maxBytes;
    private final boolean expected;
    private final List<HttpContent> held = new ArrayList<>(2);
    private long heldBytes;
    private long received;
    private boolean replayable = true;
    /** Every byte of the body arrived (a request without a body is complete from the start). */
    private boolean complete;
    /** The decoder's last piece arrived: what comes next on the connection is another request. */
    private boolean lastSeen;
    private boolean ended;
    private boolean continuePending;
    private BodySink sink;
    private final List<Consumer<ByteBuf>> wholeWaiters = new ArrayList<>(0);
    private Runnable onOverflow;
    private Runnable onMalformed;

    RequestBody(Channel caller, HttpLimits limits, boolean expected, boolean expectContinue) {
        this.caller = caller;
        this.replayLimit = limits.replayBuffer().toBytes();
        this.maxBytes = limits.maxRequestBody().toBytes();
        this.expected = expected;
        this.continuePending = expectContinue && expected;
        this.complete = !expected;
    }

    /** What to do when a body (of unknown length) grows over the limit, or its chunks cannot be read. */
    void onFailure(Runnable overflow, Runnable malformed) {
        this.onOverflow = overflow;
        this.onMalformed = malformed;
    }

    /** A piece from the caller's connection, in order; the decoder's last one completes the body. */
    void arrived(HttpContent content) {
        if (ended) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            onMalformed.run();
            return;
        }
        int bytes = content.content().readableBytes();
        received += bytes;
        if (maxBytes > 0 && received > maxBytes) {
            content.release();
            onOverflow.run();
            return;
        }
        if (content instanceof LastHttpContent) {
            complete = true;
            lastSeen = true;
        }
        if (replayable) {
            held.add(content.retain());
            heldBytes += bytes;
        }
        if (sink != null) sink.write(replayable ? content.retainedDuplicate() : content.retain());
        content.release();
        if (sink != null && heldBytes > replayLimit) dropReplay();
        if (complete && !wholeWaiters.isEmpty()) {
            List<Consumer<ByteBuf>> waiting = List.copyOf(wholeWaiters);
            wholeWaiters.clear();
            waiting.forEach(this::whenWhole);
        }
        demand();
    }

    @Override
    public void attach(BodySink next) {
        sink = next;
        if (continuePending) {
            continuePending = false;
            caller.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        for (HttpContent content : held) next.write(content.retainedDuplicate());
        if (!held.isEmpty()) next.flush();
        if (heldBytes > replayLimit) dropReplay();
        demand();
    }

    @Override
    public void detach(BodySink done) {
        if (sink == done) sink = null;
    }

    @Override
    public boolean replayable() {
        return replayable && !ended;
    }

    /**
     * Reads on while the attempt's connection takes more, and pauses the caller once it does not (or
     * none is attached yet), so at most one read's worth waits here. A body that is complete leaves
     * reading to the connection's handler: what comes next is another request.
     */
    @Override
    public void demand() {
        if (!expected || complete || ended) return;
        Reading.set(caller, sink != null && sink.writable());
    }

    /** Flushes what arrived in one read from the caller to the attempt. */
    void flush() {
        if (sink != null) sink.flush();
    }

    public boolean complete() {
        return complete;
    }

    boolean lastSeen() {
        return lastSeen;
    }

    /** Bytes received from the caller so far. */
    public long received() {
        return received;
    }

    /**
     * Calls {@code whole} once with a copy of the whole body when it is complete and was held in
     * full (the caller owns the copy), or with null when it outgrew the replay buffer.
     */
    public void whenWhole(Consumer<ByteBuf> whole) {
        if (!replayable || ended) {
            whole.accept(null);
        } else if (complete) {
            CompositeByteBuf copy = caller.alloc().compositeBuffer(Math.max(2, held.size()));
            for (HttpContent content : held) copy.addComponent(true, content.content().retainedDuplicate());
            whole.accept(copy);
        } else {
            wholeWaiters.add(whole);
        }
    }

    private void dropReplay() {
        replayable = false;
        for (HttpContent content : held) content.release();
        held.clear();
        heldBytes = 0;
        for (Consumer<ByteBuf> waiter : wholeWaiters) waiter.accept(null);
        wholeWaiters.clear();
    }

    /** The exchange is over: held pieces are released and later ones dropped. */
    void end() {
        if (ended) return;
        ended = true;
        sink = null;
        dropReplay();
    }
}
