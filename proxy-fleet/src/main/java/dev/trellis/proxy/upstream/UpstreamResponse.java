package dev.trellis.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;

/** An upstream's whole answer; the body is owned by whoever holds this and must be released or written. */
record UpstreamResponse(int status, HttpHeaders headers, ByteBuf body) {
    void release() {
        body.release();
    }
}
