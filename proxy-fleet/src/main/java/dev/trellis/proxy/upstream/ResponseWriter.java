package dev.trellis.proxy.upstream;

import java.util.Iterator;
import java.util.Map;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Writes an upstream's answer, or the proxy's own answer when there is none, to the caller. */
final class ResponseWriter {
    private ResponseWriter() {
    }

    static Mono<Void> write(ServerWebExchange exchange, UpstreamResponse upstream) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatusCode.valueOf(upstream.status()));
        HttpHeaders headers = response.getHeaders();
        Iterator<Map.Entry<String, String>> it = upstream.headers().iteratorAsString();
        while (it.hasNext()) {
            Map.Entry<String, String> header = it.next();
            if (!HopByHop.is(header.getKey())) headers.add(header.getKey(), header.getValue());
        }
        headers.setContentLength(upstream.body().readableBytes());
        DataBuffer body;
        if (response.bufferFactory() instanceof NettyDataBufferFactory netty) {
            body = netty.wrap(upstream.body());
        } else {
            byte[] bytes = new byte[upstream.body().readableBytes()];
            upstream.body().readBytes(bytes);
            upstream.release();
            body = response.bufferFactory().wrap(bytes);
        }
        return response.writeWith(Mono.just(body));
    }
}
