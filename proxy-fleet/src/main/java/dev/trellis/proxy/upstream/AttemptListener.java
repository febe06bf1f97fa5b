package dev.trellis.proxy.upstream;

import io.netty.handler.codec.http.FullHttpResponse;

/** Told, exactly once and on the caller's event loop, how one attempt ended, unless it was cancelled. */
interface AttemptListener {

    /** The upstream's whole answer, now owned by the listener. */
    void answered(FullHttpResponse response);

    void failed(AttemptFailure failure);
}
