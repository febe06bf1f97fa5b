package dev.trellis.proxy.policy;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import dev.trellis.proxy.upstream.UpstreamHeaders;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * W3C Trace Context: a valid {@code traceparent} keeps its trace id and flags and gets this hop's
 * span as parent id; a missing or malformed one is replaced by a new sampled trace.
 */
final class TraceparentFilter implements GatewayFilter, Ordered {
    static final String HEADER = "traceparent";
    private static final Pattern VALID = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
    private static final String ZERO_TRACE = "0".repeat(32);

    @Override
    public int getOrder() {
        return 1;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        String incoming = exchange.getRequest().getHeaders().getFirst(HEADER);
        String outgoing = next(incoming);
        UpstreamHeaders.set(exchange, HEADER, outgoing);
        return chain.filter(exchange);
    }

    static String next(String incoming) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String span = HexFormat.of().toHexDigits(random.nextLong() | 1L);
        if (incoming != null) {
            var m = VALID.matcher(incoming.trim());
            if (m.matches() && !m.group(1).equals(ZERO_TRACE)) return "00-" + m.group(1) + "-" + span + "-" + m.group(3);
        }
        String trace = HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextLong() | 1L);
        return "00-" + trace + "-" + span + "-01";
    }
}
