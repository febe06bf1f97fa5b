package dev.trellis.proxy.upstream;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.trellis.proxy.exchange.ProxyExchange;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpVersion;

/** One request's attempts, retries and overall timeout, on its exchange's event loop. */
final class RetryingCall implements AttemptListener {
    private final UpstreamCall rule;
    private final ProxyExchange exchange;
    private final ClusterRuntime cluster;
    private final UpstreamClient client;
    private ScheduledFuture<?> overall;
    private Attempt attempt;
    private int number;

    RetryingCall(UpstreamCall rule, ProxyExchange exchange, ClusterRuntime cluster, UpstreamClient client) {
        this.rule = rule;
        this.exchange = exchange;
        this.cluster = cluster;
        this.client = client;
    }

    void start() {
        if (rule.timeoutMs > 0) overall = exchange.eventLoop().schedule(this::timedOut, rule.timeoutMs, TimeUnit.MILLISECONDS);
        next();
    }

    private void next() {
        if (exchange.isDone()) return;
        number++;
        attempt = new Attempt(client, exchange.eventLoop(), cluster, request(), this);
        attempt.start(rule.perTryTimeoutMs);
    }

    private FullHttpRequest request() {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, exchange.httpMethod(), exchange.upstreamTarget(),
                exchange.body().retainedDuplicate(), exchange.headers(), EmptyHttpHeaders.INSTANCE);
    }

    @Override
    public void answered(FullHttpResponse response) {
        if (exchange.isDone()) {
            response.release();
        } else if (retry(rule.retryOn.matches(response.status().code()))) {
            response.release();
        } else {
            if (overall != null) overall.cancel(false);
            exchange.respond(response);
        }
    }

    @Override
    public void failed(AttemptFailure failure) {
        if (exchange.isDone() || retry(rule.retryOn.matches(failure.kind))) return;
        if (overall != null) overall.cancel(false);
        exchange.answer(failure.kind.status, "x-trellis-error", failure.kind.reason);
    }

    /** Starts the next attempt (after its backoff) when the outcome is retriable and the budget allows. */
    private boolean retry(boolean retriable) {
        if (!retriable || number >= rule.attempts || !rule.budget.tryRetry()) return false;
        long backoff = rule.backoffMs(number);
        if (backoff > 0) exchange.eventLoop().schedule(this::next, backoff, TimeUnit.MILLISECONDS);
        else next();
        return true;
    }

    private void timedOut() {
        if (exchange.isDone()) return;
        if (attempt != null) attempt.cancel();
        AttemptFailure.Kind timeout = AttemptFailure.Kind.TIMEOUT;
        exchange.answer(timeout.status, "x-trellis-error", timeout.reason);
    }
}
