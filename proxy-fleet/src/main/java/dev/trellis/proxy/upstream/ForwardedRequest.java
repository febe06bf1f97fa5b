package dev.trellis.proxy.upstream;

import java.util.List;
import java.util.Map;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;

/**
 * What is sent upstream for one request: read once, with the body buffered, so retries and the
 * mirror can send it again.
 */
record ForwardedRequest(HttpMethod method, String pathAndQuery, HttpHeaders headers, byte[] body) {
    private static final byte[] EMPTY = new byte[0];

    static Mono<ForwardedRequest> of(ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        HttpHeaders headers = headersOf(request);
        for (Map.Entry<String, String> extra : UpstreamHeaders.of(exchange).entrySet()) {
            if (extra.getValue() == null) headers.remove(extra.getKey());
            else headers.set(extra.getKey(), extra.getValue());
        }
        String rawQuery = request.getURI().getRawQuery();
        String target = rawQuery == null ? request.getURI().getRawPath() : request.getURI().getRawPath() + "?" + rawQuery;
        HttpMethod method = HttpMethod.valueOf(request.getMethod().name());
        org.springframework.http.HttpHeaders incoming = request.getHeaders();
        boolean hasBody = incoming.getContentLength() > 0 || incoming.getFirst("Transfer-Encoding") != null;
        if (!hasBody) return Mono.just(new ForwardedRequest(method, target, headers, EMPTY));
        return DataBufferUtils.join(request.getBody())
                .map(buffer -> {
                    byte[] bytes = new byte[buffer.readableByteCount()];
                    buffer.read(bytes);
                    DataBufferUtils.release(buffer);
                    return bytes;
                })
                .defaultIfEmpty(EMPTY)
                .map(body -> {
                    if (body.length > 0) headers.set("content-length", body.length);
                    return new ForwardedRequest(method, target, headers, body);
                });
    }

    /**
     * A copy of the caller's headers without hop-by-hop ones, straight from Netty (filters change
     * headers through {@link UpstreamHeaders}, never on the request itself).
     */
    private static HttpHeaders headersOf(ServerHttpRequest request) {
        HttpHeaders headers;
        if (ServerHttpRequestDecorator.getNativeRequest(request) instanceof HttpServerRequest netty) {
            headers = netty.requestHeaders().copy();
        } else {
            headers = new DefaultHttpHeaders(false);
            HttpHeaders target = headers;
            request.getHeaders().forEach((name, values) -> target.add(name, (List<String>) values));
        }
        HopByHop.removeFrom(headers);
        return headers;
    }
}
