package dev.trellis.proxy.upstream;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;

/**
 * One try of a request against one endpoint of a cluster, on the caller's event loop: picks the
 * endpoint, asks the breaker and the concurrency limit, takes a pooled connection (or opens one),
 * sends, and settles exactly once, by an answer, a failure or its timeout. Each
 * settled attempt teaches the cluster (latency for EWMA, errors for outlier ejection, the breaker).
 */
final class Attempt {
    private static final RuntimeException SERVER_ERROR = new AttemptFailure(AttemptFailure.Kind.RESET, "upstream answered 5xx");

    private final UpstreamClient client;
    private final EventLoop loop;
    private final ClusterRuntime cluster;
    private final AttemptListener listener;
    private FullHttpRequest request;
    private EndpointState endpoint;
    private CircuitBreaker breaker;
    private Channel channel;
    private ScheduledFuture<?> timer;
    private long startNanos;
    private boolean entered;
    private boolean settled;

    Attempt(UpstreamClient client, EventLoop loop, ClusterRuntime cluster, FullHttpRequest request, AttemptListener listener) {
        this.client = client;
        this.loop = loop;
        this.cluster = cluster;
        this.request = request;
        this.listener = listener;
    }

    /** Starts the attempt; after {@code timeoutNanos} (0: never) it fails as {@code onTimeout}. */
    void start(long timeoutNanos, AttemptFailure.Kind onTimeout) {
        endpoint = cluster.pick();
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
        client.connection(loop, endpoint, cluster.cluster(), this);
    }

    /** The connection to send on, ready (TLS handshake done and the peer's identity checked). */
    void connected(Channel connection) {
        if (settled) {
            client.release(connection);
            return;
        }
        channel = connection;
        UpstreamClient.handler(connection).current = this;
        FullHttpRequest sending = request;
        request = null;
        connection.writeAndFlush(sending).addListener(written -> {
            if (!written.isSuccess()) fail(AttemptFailure.Kind.RESET, "request not sent: " + written.cause());
        });
    }

    void answered(FullHttpResponse response) {
        if (settled) {
            response.release();
            return;
        }
        settle(response.status().code() >= 500);
        if (HttpUtil.isKeepAlive(response)) client.release(channel);
        else channel.close();
        listener.answered(response);
    }

    void fail(AttemptFailure.Kind kind, String detail) {
        if (settled) return;
        settle(true);
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

    /** Releases what the attempt still holds: an unsent request, a connection mid-exchange (which cannot be reused). */
    private void drop() {
        if (request != null) {
            request.release();
            request = null;
        }
        if (channel != null) {
            UpstreamConnection connection = UpstreamClient.handler(channel);
            if (connection != null && connection.current == this) connection.current = null;
            channel.close();
            channel = null;
        }
    }
}
