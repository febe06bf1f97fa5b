package dev.trellis.proxy.upstream;

import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.trellis.proxy.exchange.HopByHop;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;

/**
 * One try of a request against one endpoint of a cluster, on the caller's event loop: picks the
 * endpoint, asks the breaker and the concurrency limit, takes a pooled connection (or opens one),
 * sends, and settles exactly once, by an answer, a failure or its timeout. Each
 * settled attempt teaches the cluster (latency for EWMA, errors for outlier ejection, the breaker).
 * A pooled connection the endpoint closed just as an idempotent request went out on it is not the
 * endpoint's failure: the request goes once more on a new connection, within the same attempt.
 */
final class Attempt {
    private static final RuntimeException SERVER_ERROR = new AttemptFailure(AttemptFailure.Kind.RESET, "upstream answered 5xx");
    /** RFC 9110 §9.2.2: sending these twice has the effect of sending them once. */
    private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.TRACE, HttpMethod.PUT, HttpMethod.DELETE);

    private final UpstreamClient client;
    private final EventLoop loop;
    private final ClusterRuntime cluster;
    private final AttemptListener listener;
    private final HttpMethod method;
    private final Supplier<FullHttpRequest> request;
    private EndpointState endpoint;
    private EndpointState avoid;
    private CircuitBreaker breaker;
    private Channel channel;
    private ScheduledFuture<?> timer;
    private long startNanos;
    private boolean entered;
    private boolean settled;
    private boolean reused;

    /** {@code request} makes the request to send, each time one is sent. */
    Attempt(UpstreamClient client, EventLoop loop, ClusterRuntime cluster, HttpMethod method, Supplier<FullHttpRequest> request,
            AttemptListener listener) {
        this.client = client;
        this.loop = loop;
        this.cluster = cluster;
        this.method = method;
        this.request = request;
        this.listener = listener;
    }

    /** A retry: the endpoint the previous attempt failed on is passed over while the cluster has another. */
    Attempt avoiding(EndpointState failed) {
        this.avoid = failed;
        return this;
    }

    /** The endpoint picked, once started (null when the cluster had none). */
    EndpointState endpoint() {
        return endpoint;
    }

    /** Starts the attempt; after {@code timeoutNanos} (0: never) it fails as {@code onTimeout}. */
    void start(long timeoutNanos, AttemptFailure.Kind onTimeout) {
        endpoint = cluster.pick(avoid);
        if (endpoint == null) {
            refuse(AttemptFailure.Kind.NO_ENDPOINT, cluster.cluster().name());
            return;
        }
        if (cluster.cluster().mtls() && !client.hasTls()) {
            refuse(AttemptFailure.Kind.CONNECT, "no certificate for mTLS");
            return;
        }
        breaker = cluster.breaker();
        if (breaker != null && !breaker.tryAcquirePermission()) {
            refuse(AttemptFailure.Kind.CIRCUIT_OPEN, cluster.cluster().name());
            return;
        }
        if (!cluster.tryEnter()) {
            if (breaker != null) breaker.releasePermission();
            refuse(AttemptFailure.Kind.OVERLOADED, cluster.cluster().name());
            return;
        }
        entered = true;
        endpoint.inFlight.incrementAndGet();
        startNanos = System.nanoTime();
        if (timeoutNanos > 0) {
            timer = loop.schedule(() -> fail(onTimeout, "timed out"), timeoutNanos, TimeUnit.NANOSECONDS);
        }
        client.connection(loop, endpoint, cluster.cluster(), this, true);
    }

    /**
     * The connection to send on, ready (TLS handshake done and the peer's identity checked);
     * {@code pooled} when it already served other requests.
     */
    void connected(Channel connection, boolean pooled) {
        if (settled) {
            client.release(connection);
            return;
        }
        channel = connection;
        reused = pooled;
        UpstreamClient.handler(connection).current = this;
        connection.writeAndFlush(request.get()).addListener(written -> {
            if (!written.isSuccess()) fail(AttemptFailure.Kind.RESET, "request not sent: " + written.cause());
        });
    }

    void answered(FullHttpResponse response) {
        if (settled) {
            response.release();
            return;
        }
        settle(response.status().code() >= 500);
        if (HopByHop.keepAlive(response)) client.release(channel);
        else channel.close();
        listener.answered(response);
    }

    void fail(AttemptFailure.Kind kind, String detail) {
        if (settled) return;
        if (kind == AttemptFailure.Kind.RESET && reused && IDEMPOTENT.contains(method)) {
            reused = false;
            drop();
            client.connection(loop, endpoint, cluster.cluster(), this, false);
            return;
        }
        settle(true);
        cluster.gatewayFailure(endpoint);
        drop();
        listener.failed(new AttemptFailure(kind, detail));
    }

    /** Refused before anything was sent: the cluster learns nothing from it. */
    private void refuse(AttemptFailure.Kind kind, String detail) {
        settled = true;
        drop();
        listener.failed(new AttemptFailure(kind, detail));
    }

    private void settle(boolean failed) {
        settled = true;
        if (timer != null) timer.cancel(false);
        long elapsed = System.nanoTime() - startNanos;
        endpoint.inFlight.decrementAndGet();
        cluster.leave();
        cluster.record(endpoint, elapsed, failed);
        if (breaker == null) return;
        if (failed) breaker.onError(elapsed, TimeUnit.NANOSECONDS, SERVER_ERROR);
        else breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
    }

    /** Closes the connection the attempt is using mid-exchange, which cannot be reused. */
    private void drop() {
        if (channel != null) {
            UpstreamConnection connection = UpstreamClient.handler(channel);
            if (connection != null && connection.current == this) connection.current = null;
            channel.close();
            channel = null;
        }
    }
}
