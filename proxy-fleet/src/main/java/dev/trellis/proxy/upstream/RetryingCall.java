package dev.trellis.proxy.upstream;

import java.util.concurrent.TimeUnit;

import dev.trellis.proxy.exchange.ProxyExchange;
import dev.trellis.proxy.grpc.GrpcCalls;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * One request's attempts, retries and overall timeout, on its exchange's event loop, with one timer
 * at a time. An attempt is judged on its answer's head; the first one not retried streams to the
 * caller. A retry needs the whole body from its first byte, so a request whose body outgrew the
 * replay buffer is not retried (its failure is the caller's answer). A retry passes over the
 * endpoint the previous attempt failed on while the cluster has another; a connect failure is
 * retried elsewhere even without a retry policy.
 */
final class RetryingCall implements AttemptListener {
    /** Attempts a request gets when its connects fail, whatever its retry policy says. */
    static final int CONNECT_ATTEMPTS = 2;

    private final UpstreamCall rule;
    private final ProxyExchange exchange;
    private final ClusterRuntime cluster;
    private final UpstreamClient client;
    private long deadlineNanos;
    private int number;
    private Attempt current;
    /** The endpoint the last attempt failed on, which the next one passes over. */
    private EndpointState failedOn;

    RetryingCall(UpstreamCall rule, ProxyExchange exchange, ClusterRuntime cluster, UpstreamClient client) {
        this.rule = rule;
        this.exchange = exchange;
        this.cluster = cluster;
        this.client = client;
    }

    void start() {
        if (rule.timeoutMs > 0) deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(rule.timeoutMs);
        // A gRPC call's own deadline counts too, when it comes first.
        long grpcTimeout = GrpcCalls.timeoutNanos(exchange.headers().get("grpc-timeout"));
        if (grpcTimeout > 0) {
            long grpcDeadline = System.nanoTime() + grpcTimeout;
            if (deadlineNanos == 0 || grpcDeadline - deadlineNanos < 0) deadlineNanos = grpcDeadline;
        }
        exchange.onAbandon(this::abandon);
        next();
    }

    /**
     * Starts the next attempt under one timer: the per-try timeout, or what is left of the overall
     * timeout when that comes first (then the attempt fails as the overall timeout).
     */
    private void next() {
        if (exchange.isDone()) return;
        long perTry = TimeUnit.MILLISECONDS.toNanos(rule.perTryTimeoutMs);
        long left = deadlineNanos == 0 ? 0 : deadlineNanos - System.nanoTime();
        if (deadlineNanos != 0 && left <= 0) {
            failed(new AttemptFailure(AttemptFailure.Kind.TIMEOUT, "overall timeout"));
            return;
        }
        boolean overallFirst = deadlineNanos != 0 && (perTry == 0 || left <= perTry);
        number++;
        current = new Attempt(client, exchange.eventLoop(), cluster, exchange.httpMethod(), this::request,
                exchange.requestBody(), this).avoiding(failedOn).needsHttp1(exchange.upgrade() != null);
        current.start(overallFirst ? left : perTry, overallFirst ? AttemptFailure.Kind.TIMEOUT : AttemptFailure.Kind.PER_TRY_TIMEOUT);
    }

    private HttpRequest request() {
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, exchange.httpMethod(), exchange.upstreamTarget(),
                exchange.headers());
        if (exchange.chunkedBody()) HttpUtil.setTransferEncodingChunked(head, true);
        if (exchange.upgrade() != null) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE).set(HttpHeaderNames.UPGRADE, exchange.upgrade());
        }
        return head;
    }

    private void abandon() {
        Attempt attempt = current;
        current = null;
        if (attempt != null) attempt.cancel();
    }

    @Override
    public ResponseTarget answered(HttpResponse response, Channel upstream, int grpcStatus) {
        if (exchange.isDone()) return null;
        if (retry(rule.retryOn.matches(response.status().code()) || rule.retryOn.matchesGrpc(grpcStatus))) return null;
        if (!exchange.streamHead(response, upstream)) return null;
        return new ResponseTarget() {
            @Override
            public void content(HttpContent content) {
                exchange.streamContent(content);
            }

            @Override
            public void flush() {
                exchange.flush();
            }

            @Override
            public void aborted() {
                exchange.streamAborted();
            }
        };
    }

    @Override
    public boolean upgraded(HttpResponse response, Channel upstream) {
        return exchange.upgraded(response, upstream);
    }

    @Override
    public void failed(AttemptFailure failure) {
        if (!exchange.isDone() && (retry(rule.retryOn.matches(failure.kind)) || retryElsewhere(failure))) return;
        if (exchange.isDone()) return;
        exchange.answer(failure.kind.status, "x-trellis-error", failure.kind.reason);
    }

    /**
     * A connect failure sent nothing, so it is tried once more on another endpoint of the cluster
     * (when it has one) even without a retry policy, at once and outside the retry budget: the
     * upstream saw no extra load. As Istio's default retry of connect failures.
     */
    private boolean retryElsewhere(AttemptFailure failure) {
        if (failure.kind != AttemptFailure.Kind.CONNECT || number >= Math.max(rule.attempts, CONNECT_ATTEMPTS)
                || !exchange.requestBody().replayable() || cluster.endpoints().size() < 2 || current == null || current.endpoint() == null) {
            return false;
        }
        failedOn = current.endpoint();
        next();
        return true;
    }

    /**
     * Starts the next attempt (after its backoff) when the outcome is retriable, the body can be sent
     * again and the budget allows.
     */
    private boolean retry(boolean retriable) {
        if (!retriable || number >= rule.attempts || !exchange.requestBody().replayable() || !rule.budget.tryRetry()) return false;
        if (current != null) failedOn = current.endpoint();
        exchange.retried();
        long backoff = TimeUnit.MILLISECONDS.toNanos(rule.backoffMs(number));
        // The overall timeout still counts while backing off: next() answers it when it has passed.
        if (deadlineNanos != 0) backoff = Math.min(backoff, Math.max(0, deadlineNanos - System.nanoTime()));
        if (backoff > 0) exchange.eventLoop().schedule(this::next, backoff, TimeUnit.NANOSECONDS);
        else next();
        return true;
    }
}
