package dev.trellis.proxy.upstream;

import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.trellis.proxy.exchange.BodySink;
import dev.trellis.proxy.exchange.BodySource;
import dev.trellis.proxy.exchange.HopByHop;
import dev.trellis.proxy.grpc.GrpcCalls;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * One try of a request against one endpoint of a cluster, on the caller's event loop: picks the
 * endpoint, asks the breaker and the concurrency limit, takes a pooled connection (or opens one),
 * sends the head and streams the body ({@link BodySink}: written while the connection takes more),
 * and settles exactly once, by an answer head, a failure or its timeout. Timeouts run until the
 * answer's head: a body then streams for as long as it lasts. Each settled attempt teaches the
 * cluster (latency to the head for EWMA, 5xx and failures for outlier ejection, the breaker).
 * A pooled connection the endpoint closed just as an idempotent request went out on it is not the
 * endpoint's failure: the request goes once more on a new connection, within the same attempt.
 */
final class Attempt implements BodySink {
    private static final RuntimeException SERVER_ERROR = new AttemptFailure(AttemptFailure.Kind.RESET, "upstream answered 5xx");
    /** RFC 9110 §9.2.2: sending these twice has the effect of sending them once. */
    private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.TRACE, HttpMethod.PUT, HttpMethod.DELETE);

    private final UpstreamClient client;
    private final EventLoop loop;
    private final ClusterRuntime cluster;
    private final AttemptListener listener;
    private final HttpMethod method;
    private final Supplier<HttpRequest> request;
    private final BodySource body;
    private EndpointState endpoint;
    private EndpointState avoid;
    private CircuitBreaker breaker;
    private Channel channel;
    private ScheduledFuture<?> timer;
    private long startNanos;
    private boolean settled;
    private boolean reused;
    private boolean requestSent;
    private boolean keepAlive;
    private AttemptListener.ResponseTarget target;

    /** {@code request} makes the head to send, each time one is sent; {@code body} follows it. */
    Attempt(UpstreamClient client, EventLoop loop, ClusterRuntime cluster, HttpMethod method, Supplier<HttpRequest> request,
            BodySource body, AttemptListener listener) {
        this.client = client;
        this.loop = loop;
        this.cluster = cluster;
        this.method = method;
        this.request = request;
        this.body = body;
        this.listener = listener;
    }

    /** A retry: the endpoint the previous attempt failed on is passed over while the cluster has another. */
    Attempt avoiding(EndpointState failed) {
        this.avoid = failed;
        return this;
    }

    private boolean needsHttp1;
    /** A gRPC answer's head, until its first piece (see {@link #answered}). */
    private HttpResponse grpcHead;
    /** A gRPC answer with messages is under way: its outcome is learnt from its trailers. */
    private boolean learnAtEnd;
    private long headNanos;
    private boolean resentRefused;

    /** An upgrade (WebSocket): only HTTP/1.1 carries it, also to endpoints that speak HTTP/2. */
    Attempt needsHttp1(boolean upgrade) {
        this.needsHttp1 = upgrade;
        return this;
    }

    boolean needsHttp1() {
        return needsHttp1;
    }

    /** The endpoint turned out to speak only HTTP/1.1 (ALPN): the attempt connects again, now with HTTP/1.1. */
    void reconnect() {
        if (!settled) client.connection(loop, endpoint, cluster.cluster(), cluster.http2(), this, true);
    }

    /** The endpoint picked, once started (null when the cluster had none). */
    EndpointState endpoint() {
        return endpoint;
    }

    /** Starts the attempt; after {@code timeoutNanos} (0: never) without an answer head it fails as {@code onTimeout}. */
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
        endpoint.inFlight.incrementAndGet();
        startNanos = System.nanoTime();
        if (timeoutNanos > 0) {
            timer = loop.schedule(() -> fail(onTimeout, "timed out"), timeoutNanos, TimeUnit.NANOSECONDS);
        }
        client.connection(loop, endpoint, cluster.cluster(), cluster.http2(), this, true);
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
        requestSent = false;
        UpstreamClient.handler(connection).current = this;
        connection.write(request.get()).addListener(written -> {
            if (!written.isSuccess()) fail(AttemptFailure.Kind.RESET, "request not sent: " + written.cause());
        });
        body.attach(this);
        connection.flush();
    }

    // --- the request body, as the body source sends it -------------------------------------------------

    @Override
    public void write(HttpContent content) {
        Channel out = channel;
        if (out == null || requestSent) {
            content.release();
            return;
        }
        if (content instanceof LastHttpContent) requestSent = true;
        out.write(content, out.voidPromise());
    }

    @Override
    public void flush() {
        if (channel != null) channel.flush();
    }

    @Override
    public boolean writable() {
        return channel != null && channel.isWritable();
    }

    /** The connection can take more of the body. */
    void upstreamWritable() {
        if (channel != null && !requestSent) body.demand();
    }

    // --- the answer, as the connection reads it ------------------------------------------------------------

    void answered(HttpResponse response) {
        if (settled || grpcHead != null) {
            drop();
            return;
        }
        if (response.status().code() == 101) {
            switched(response);
            return;
        }
        if (response.status().code() == 200 && GrpcCalls.isGrpc(response.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
            // Held until its first piece: a gRPC answer that ends at once (trailers-only, how gRPC reports an
            // immediate error) carries its grpc-status there, in time for a retry. The head came in time.
            grpcHead = response;
            if (timer != null) timer.cancel(false);
            return;
        }
        decide(response, -1, false);
    }

    /**
     * Judges the answer head: a retry, or the answer the caller gets. A gRPC answer with messages
     * ({@code learnAtEnd}) teaches the cluster only at its end, from the trailers' grpc-status.
     */
    private void decide(HttpResponse response, int grpcStatus, boolean learnAtEnd) {
        if (learnAtEnd) {
            settleOnly();
            this.learnAtEnd = true;
        } else {
            settle(response.status().code() >= 500 || grpcStatus >= 0 && GrpcCalls.serverFailure(grpcStatus));
        }
        keepAlive = HopByHop.keepAlive(response);
        target = listener.answered(response, channel, grpcStatus);
        if (target == null) {
            drop();
        }
    }

    /** The endpoint switched protocols: the connection leaves the HTTP client for good, taken over or closed. */
    private void switched(HttpResponse response) {
        settle(false);
        Channel upstream = channel;
        channel = null;
        body.detach(this);
        UpstreamConnection connection = UpstreamClient.handler(upstream);
        connection.current = null;
        if (!listener.upgraded(response, upstream)) {
            upstream.close();
            return;
        }
        // From here on the codec passes bytes both ways; the end of the 101 answer goes to the tunnel, which drops it.
        HttpClientCodec codec = upstream.pipeline().get(HttpClientCodec.class);
        codec.prepareUpgradeFrom(upstream.pipeline().context(codec));
        upstream.pipeline().remove(connection);
    }

    void content(HttpContent content) {
        if (grpcHead != null) {
            HttpResponse head = grpcHead;
            grpcHead = null;
            boolean ended = content instanceof LastHttpContent;
            decide(head, ended ? GrpcCalls.status(((LastHttpContent) content).trailingHeaders()) : -1, !ended);
        }
        AttemptListener.ResponseTarget to = target;
        if (to == null) {
            content.release();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (last && learnAtEnd) {
            learnAtEnd = false;
            int code = GrpcCalls.status(((LastHttpContent) content).trailingHeaders());
            learn(code < 0 || GrpcCalls.serverFailure(code)); // no grpc-status at all: the call broke
        }
        if (last) target = null;
        to.content(content);
        if (!last) return;
        Channel done = channel;
        channel = null;
        body.detach(this);
        UpstreamConnection connection = UpstreamClient.handler(done);
        if (connection != null) connection.current = null;
        // A connection whose request is not fully sent is mid-message: it cannot carry another one.
        if (keepAlive && requestSent) client.release(done);
        else done.close();
    }

    void readComplete() {
        if (target != null) target.flush();
    }

    /** The connection closed: before the answer a failure, during it an answer cut short. */
    void closed() {
        AttemptListener.ResponseTarget to = target;
        if (to != null) {
            target = null;
            channel = null;
            body.detach(this);
            to.aborted();
            if (learnAtEnd) {
                learnAtEnd = false;
                learn(true); // a gRPC stream cut before its status
            }
            return;
        }
        fail(AttemptFailure.Kind.RESET, "connection closed by the endpoint");
    }

    /** An HTTP/2 endpoint refused the stream before processing it: sent once more (a new connection if the old one drains). */
    void refused() {
        if (!settled && !resentRefused && body.replayable()) {
            resentRefused = true;
            drop();
            client.connection(loop, endpoint, cluster.cluster(), cluster.http2(), this, false);
            return;
        }
        closed();
    }

    void fail(AttemptFailure.Kind kind, String detail) {
        if (settled) return;
        grpcHead = null;
        if (kind == AttemptFailure.Kind.RESET && reused && IDEMPOTENT.contains(method) && body.replayable()) {
            reused = false;
            drop();
            client.connection(loop, endpoint, cluster.cluster(), cluster.http2(), this, false);
            return;
        }
        settle(true);
        cluster.gatewayFailure(endpoint);
        drop();
        listener.failed(new AttemptFailure(kind, detail));
    }

    /** The caller went away: the attempt stops where it is, teaching the cluster nothing. */
    void cancel() {
        if (!settled) {
            settled = true;
            if (timer != null) timer.cancel(false);
            endpoint.inFlight.decrementAndGet();
            cluster.leave();
            if (breaker != null) breaker.releasePermission();
        } else if (learnAtEnd) {
            learnAtEnd = false;
            if (breaker != null) breaker.releasePermission();
        }
        target = null;
        drop();
    }

    /** Refused before anything was sent: the cluster learns nothing from it. */
    private void refuse(AttemptFailure.Kind kind, String detail) {
        settled = true;
        drop();
        listener.failed(new AttemptFailure(kind, detail));
    }

    private void settle(boolean failed) {
        settleOnly();
        learn(failed);
    }

    /** The attempt has its answer: it holds no slot any more. */
    private void settleOnly() {
        settled = true;
        if (timer != null) timer.cancel(false);
        headNanos = System.nanoTime() - startNanos;
        endpoint.inFlight.decrementAndGet();
        cluster.leave();
    }

    /** Teaches the cluster the outcome (latency to the answer's head, failure for outlier ejection and the breaker). */
    private void learn(boolean failed) {
        cluster.record(endpoint, headNanos, failed);
        if (breaker == null) return;
        if (failed) breaker.onError(headNanos, TimeUnit.NANOSECONDS, SERVER_ERROR);
        else breaker.onSuccess(headNanos, TimeUnit.NANOSECONDS);
    }

    /** Closes the connection the attempt is using mid-exchange, which cannot be reused. */
    private void drop() {
        body.detach(this);
        if (channel != null) {
            UpstreamConnection connection = UpstreamClient.handler(channel);
            if (connection != null && connection.current == this) connection.current = null;
            channel.close();
            channel = null;
        }
    }
}
