package dev.trellis.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpResponse;

/** Told, exactly once and on the caller's event loop, how one attempt ended, unless it was cancelled. */
interface AttemptListener {

    /**
     * The upstream's answer head. Returns where its body goes (the attempt streams it there), or null
     * to drop the answer, which closes the connection. {@code upstream} is the connection it streams from.
     * {@code grpcStatus} is the {@code grpc-status} of a gRPC answer that ended before any message
     * (trailers-only, as gRPC reports an immediate error), else -1.
     */
    ResponseTarget answered(HttpResponse head, Channel upstream, int grpcStatus);

    void failed(AttemptFailure failure);

    /**
     * The upstream switched protocols (101). True when the listener took {@code upstream} over (it
     * now carries raw bytes); false closes it.
     */
    boolean upgraded(HttpResponse head, Channel upstream);

    /** Where an answer's body streams, piece by piece. */
    interface ResponseTarget {
        /** A piece (ownership passes); a {@code LastHttpContent} ends the answer. */
        void content(io.netty.handler.codec.http.HttpContent content);

        /** Sends what one read from the upstream gave. */
        void flush();

        /** The upstream went away before the answer's end. */
        void aborted();
    }
}
