package dev.trellis.proxy.policy;

import dev.trellis.compiler.snapshot.RateLimit;
import dev.trellis.proxy.ProxyAnswer;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Local token bucket: refills at the configured rate up to the burst; an empty bucket answers 429 with Retry-After. */
final class RateLimitFilter implements GatewayFilter, Ordered {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long refilledAt = System.nanoTime();

    RateLimitFilter(RateLimit limit) {
        this.perNano = limit.requestsPerSecond() / 1e9;
        this.burst = Math.max(1, limit.burst());
        this.tokens = burst;
    }

    @Override
    public int getOrder() {
        return 3;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        long waitNanos = take();
        if (waitNanos == 0) return chain.filter(exchange);
        long retryAfterSeconds = Math.max(1, (long) Math.ceil(waitNanos / 1e9));
        exchange.getResponse().getHeaders().set("Retry-After", Long.toString(retryAfterSeconds));
        return ProxyAnswer.write(exchange, 429, "x-trellis-error", "rate-limited");
    }

    /** Takes a token; answers 0 when one was available, else how long until one will be. */
    private synchronized long take() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - refilledAt) * perNano);
        refilledAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return perNano <= 0 ? 60_000_000_000L : (long) ((1 - tokens) / perNano);
    }
}
