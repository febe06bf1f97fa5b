package dev.trellis.proxy.upstream;

import dev.trellis.proxy.exchange.BodySink;
import dev.trellis.proxy.exchange.BodySource;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultLastHttpContent;

/** A body held whole (a mirror's copy), sent as one piece to every attempt; the owner releases it. */
record FixedBody(ByteBuf content) implements BodySource {

    @Override
    public void attach(BodySink sink) {
        sink.write(new DefaultLastHttpContent(content.retainedDuplicate()));
        sink.flush();
    }

    @Override
    public void detach(BodySink sink) {
    }

    @Override
    public boolean replayable() {
        return true;
    }

    @Override
    public void demand() {
    }
}
