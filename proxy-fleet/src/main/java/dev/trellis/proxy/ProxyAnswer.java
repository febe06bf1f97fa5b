package dev.trellis.proxy;

import java.nio.charset.StandardCharsets;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The proxy's own answers (no route, rate limited, denied, circuit open...): a status, an
 * {@code x-trellis-*} header naming the reason so callers and operators can tell the proxy's answer
 * from the app's, and the reason as text. Never a stack trace or a class name.
 */
public final class ProxyAnswer {
    private ProxyAnswer() {
    }

    public static Mono<Void> write(ServerWebExchange exchange, int status, String header, String reason) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatusCode.valueOf(status));
        response.getHeaders().set(header, reason);
        response.getHeaders().set(HttpHeaders.CONTENT_TYPE, "text/plain");
        byte[] text = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        // Drain the request first: answering before it is read lets the connection be closed under
        // a keep-alive client that already reuses it.
        return exchange.getRequest().getBody()
                .doOnNext(DataBufferUtils::release)
                .then(Mono.defer(() -> response.writeWith(Mono.just(response.bufferFactory().wrap(text)))));
    }
}
