package dev.trellis.proxy.upstream;

import java.util.concurrent.TimeUnit;

import dev.trellis.proxy.exchange.ProxyExchange;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpVersion;

/** One request's attempts, retries and overall timeout, on its exchange's event loop, with one timer at a time. */
final class RetryingCall implements AttemptListener {
    private final UpstreamCall rule;
    private final ProxyExchange exchange;
    private final ClusterRuntime cluster;
    private final UpstreamClient client;
    private long deadlineNanos;
    private int number;
    /** The caller's body, held until the call ends: an attempt may send it after the caller went away. */
    private ByteBuf body;

    RetryingCall(UpstreamCall rule, ProxyExchange exchange, ClusterRuntime cluster, UpstreamClient client) {
        this.rule = rule;
        this.exchange = exchange;
        this.cluster = cluster;
        this.client = client;
    }

    void start() {
        body = exchange.body().retain();
        if (rule.timeoutMs > 0) deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(rule.timeoutMs);
        next();
    }

    /**
     * Starts the next attempt under one timer: the per-try timeout, or what is left of the overall
     * timeout when that comes first (then the attempt fails as the overall timeout).
     */
    private void next() {
        if (exchange.isDone()) {
            end();
            return;
        }
        long perTry = TimeUnit.MILLISECONDS.toNanos(rule.perTryTimeoutMs);
        long left = deadlineNanos == 0 ? 0 : deadlineNanos - System.nanoTime();
        if (deadlineNanos != 0 && left <= 0) {
            failed(new AttemptFailure(AttemptFailure.Kind.TIMEOUT, "overall timeout"));
            return;
        }
        boolean overallFirst = deadlineNanos != 0 && (perTry == 0 || left <= perTry);
        number++;
        new Attempt(client, exchange.eventLoop(), cluster, exchange.httpMethod(), this::request, this)
                .start(overallFirst ? left : perTry, overallFirst ? AttemptFailure.Kind.TIMEOUT : AttemptFailure.Kind.PER_TRY_TIMEOUT);
    }

    private FullHttpRequest request() {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, exchange.httpMethod(), exchange.upstreamTarget(),
                body.retainedDuplicate(), exchange.headers(), EmptyHttpHeaders.INSTANCE);
    }

    private void end() {
        if (body == null) return;
        body.release();
        body = null;
    }

    @Override
    public void answered(FullHttpResponse response) {
        if (exchange.isDone()) {
            response.release();
            end();
        } else if (retry(rule.retryOn.matches(response.status().code()))) {
            response.release();
        } else {
            end();
            exchange.respond(response);
        }
    }

    @Override
    public void failed(AttemptFailure failure) {
        if (!exchange.isDone() && retry(rule.retryOn.matches(failure.kind))) return;
        end();
        if (exchange.isDone()) return;
        exchange.answer(failure.kind.status, "x-trellis-error", failure.kind.reason);
    }

    /** Starts the next attempt (after its backoff) when the outcome is retriable and the budget allows. */
    private boolean retry(boolean retriable) {
        if (!retriable || number >= rule.attempts || !rule.budget.tryRetry()) return false;
        exchange.retried();
        long backoff = TimeUnit.MILLISECONDS.toNanos(rule.backoffMs(number));
        // The overall timeout still counts while backing off: next() answers it when it has passed.
        if (deadlineNanos != 0) backoff = Math.min(backoff, Math.max(0, deadlineNanos - System.nanoTime()));
        if (backoff > 0) exchange.eventLoop().schedule(this::next, backoff, TimeUnit.NANOSECONDS);
        else next();
        return true;
    }
}
