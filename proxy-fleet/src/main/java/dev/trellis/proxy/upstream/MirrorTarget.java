package dev.trellis.proxy.upstream;

import java.util.concurrent.ThreadLocalRandom;

import dev.trellis.proxy.exchange.ProxyExchange;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Copies a share of a rule's requests to another cluster, fire and forget. As in Envoy, the copy's
 * Host gets a {@code -shadow} suffix so the mirror can tell copies from live traffic.
 */
record MirrorTarget(ClusterRuntime cluster, double percent) {
    void maybeSend(UpstreamClient client, ProxyExchange exchange) {
        if (ThreadLocalRandom.current().nextDouble(100) >= percent) return;
        HttpHeaders headers = exchange.headers().copy();
        String host = headers.get(HttpHeaderNames.HOST);
        if (host != null) headers.set(HttpHeaderNames.HOST, shadowOf(host));
        String target = exchange.upstreamTarget();
        // The copy's body outlives the caller's exchange: it is copied now, and sliced per send.
        ByteBuf body = exchange.body().copy();
        new Attempt(client, exchange.eventLoop(), cluster, exchange.httpMethod(), () -> new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, exchange.httpMethod(), target, body.retainedDuplicate(), headers, EmptyHttpHeaders.INSTANCE),
                new ReleaseWhenDone(body)).start(0, AttemptFailure.Kind.TIMEOUT);
    }

    /** Drops the mirror's answer and, with the attempt over, the copied body. */
    private record ReleaseWhenDone(ByteBuf body) implements AttemptListener {
        @Override
        public void answered(FullHttpResponse response) {
            response.release();
            body.release();
        }

        @Override
        public void failed(AttemptFailure failure) {
            body.release();
        }
    }

    private static String shadowOf(String host) {
        int colon = host.lastIndexOf(':');
        return colon > 0 && host.indexOf(']') < colon ? host.substring(0, colon) + "-shadow" + host.substring(colon)
                : host + "-shadow";
    }
}
