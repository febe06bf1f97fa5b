package dev.trellis.proxy.exchange;

import io.netty.handler.codec.http.HttpContent;

/** Where a request body goes: the connection of one upstream attempt at a time. */
public interface BodySink {

    /** Queues {@code content} (ownership passes to the sink); the body ends with a {@code LastHttpContent}. */
    void write(HttpContent content);

    /** Sends what was queued. */
    void flush();

    /** Whether the sink takes more now; when it becomes writable again it calls {@link BodySource#demand()}. */
    boolean writable();
}
