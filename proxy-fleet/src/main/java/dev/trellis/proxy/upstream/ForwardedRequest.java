package dev.trellis.proxy.upstream;

import java.util.List;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Mono;

/**
 * What is sent upstream for one request: read once, with the body buffered, so retries and the
 * mirror can send it again.
 */
record ForwardedRequest(HttpMethod method, String pathAndQuery, HttpHeaders headers, byte[] body) {
    private static final byte[] EMPTY = new byte[0];

    static Mono<ForwardedRequest> of(ServerHttpRequest request) {
        HttpHeaders headers = new DefaultHttpHeaders(false);
        request.getHeaders().forEach((name, values) -> {
            if (!HopByHop.is(name)) headers.add(name, (List<String>) values);
        });
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
}
