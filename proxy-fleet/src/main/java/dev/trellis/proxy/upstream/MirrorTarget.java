package dev.trellis.proxy.upstream;

import java.util.concurrent.ThreadLocalRandom;

import dev.trellis.proxy.exchange.ProxyExchange;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Copies a share of a rule's requests to another cluster, fire and forget. As in Envoy, the copy's
 * Host gets a {@code -shadow} suffix so the mirror can tell copies from live traffic. The copy goes
 * once the caller's body is complete and only when it fit in the replay buffer; a request with a
 * larger body is not mirrored.
 */
record MirrorTarget(ClusterRuntime cluster, double percent) {
    void maybeSend(UpstreamClient client, ProxyExchange exchange) {
        if (ThreadLocalRandom.current().nextDouble(100) >= percent) return;
        HttpHeaders headers = exchange.headers().copy();
        String host = headers.get(HttpHeaderNames.HOST);
        if (host != null) headers.set(HttpHeaderNames.HOST, shadowOf(host));
        String target = exchange.upstreamTarget();
        HttpMethod method = exchange.httpMethod();
        exchange.requestBody().whenWhole(body -> {
            if (body == null) return;
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
            new Attempt(client, exchange.eventLoop(), cluster, method,
                    () -> new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, target, headers),
                    new FixedBody(body), new ReleaseWhenDone(body)).start(0, AttemptFailure.Kind.TIMEOUT);
        });
    }

    /** Drops the mirror's answer and, with the attempt over, the copied body. */
    private record ReleaseWhenDone(ByteBuf body) implements AttemptListener {
        @Override
        public ResponseTarget answered(HttpResponse response, Channel upstream, int grpcStatus) {
            return new ResponseTarget() {
                @Override
                public void content(HttpContent content) {
                    content.release();
                    if (content instanceof io.netty.handler.codec.http.LastHttpContent) body.release();
                }

                @Override
                public void flush() {
                }

                @Override
                public void aborted() {
                    body.release();
                }
            };
        }

        @Override
        public void failed(AttemptFailure failure) {
            body.release();
        }

        @Override
        public boolean upgraded(HttpResponse head, Channel upstream) {
            body.release();
            return false;
        }
    }

    private static String shadowOf(String host) {
        int colon = host.lastIndexOf(':');
        return colon > 0 && host.indexOf(']') < colon ? host.substring(0, colon) + "-shadow" + host.substring(colon)
                : host + "-shadow";
    }
}
