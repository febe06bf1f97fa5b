package dev.trellis.proxy.policy;

import dev.trellis.compiler.snapshot.RateLimit;
import dev.trellis.proxy.exchange.ProxyExchange;
import dev.trellis.proxy.exchange.RequestPolicy;

/** Local token bucket: refills at the configured rate up to the burst; an empty bucket answers 429 with Retry-After. */
final class RateLimitFilter implements RequestPolicy {
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
    public void apply(ProxyExchange exchange) {
        long waitNanos = take();
        if (waitNanos == 0) {
            exchange.proceed();
            return;
        }
        long retryAfterSeconds = Math.max(1, (long) Math.ceil(waitNanos / 1e9));
        exchange.answer(429, "x-trellis-error", "rate-limited", "Retry-After", Long.toString(retryAfterSeconds));
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
