package dev.trellis.proxy.upstream;

import java.util.concurrent.ThreadLocalRandom;

import dev.trellis.proxy.exchange.ProxyExchange;
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
    private static final AttemptListener IGNORE = new AttemptListener() {
        @Override
        public void answered(FullHttpResponse response) {
            response.release();
        }

        @Override
        public void failed(AttemptFailure failure) {
        }
    };

    void maybeSend(UpstreamClient client, ProxyExchange exchange) {
        if (ThreadLocalRandom.current().nextDouble(100) >= percent) return;
        HttpHeaders headers = exchange.headers().copy();
        String host = headers.get(HttpHeaderNames.HOST);
        if (host != null) headers.set(HttpHeaderNames.HOST, shadowOf(host));
        var copy = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, exchange.httpMethod(), exchange.upstreamTarget(),
                exchange.body().retainedDuplicate(), headers, EmptyHttpHeaders.INSTANCE);
        new Attempt(client, exchange.eventLoop(), cluster, copy, IGNORE).start(0, AttemptFailure.Kind.TIMEOUT);
    }

    private static String shadowOf(String host) {
        int colon = host.lastIndexOf(':');
        return colon > 0 && host.indexOf(']') < colon ? host.substring(0, colon) + "-shadow" + host.substring(colon)
                : host + "-shadow";
    }
}
