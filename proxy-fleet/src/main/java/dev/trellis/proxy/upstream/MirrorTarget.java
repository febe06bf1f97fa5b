package dev.trellis.proxy.upstream;

import java.util.concurrent.ThreadLocalRandom;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * Copies a share of a rule's requests to another cluster, fire and forget. As in Envoy, the copy's
 * Host gets a {@code -shadow} suffix so the mirror can tell copies from live traffic.
 */
record MirrorTarget(ClusterRuntime cluster, double percent) {

    void maybeSend(UpstreamClient client, ForwardedRequest request) {
        if (ThreadLocalRandom.current().nextDouble(100) >= percent) return;
        HttpHeaders headers = request.headers().copy();
        String host = headers.get("host");
        if (host != null) headers.set("host", shadowOf(host));
        client.call(cluster, request.method(), request.pathAndQuery(), headers, request.body(), 0)
                .subscribe(UpstreamResponse::release, ignored -> { });
    }

    private static String shadowOf(String host) {
        int colon = host.lastIndexOf(':');
        return colon > 0 && host.indexOf(']') < colon ? host.substring(0, colon) + "-shadow" + host.substring(colon)
                : host + "-shadow";
    }
}
