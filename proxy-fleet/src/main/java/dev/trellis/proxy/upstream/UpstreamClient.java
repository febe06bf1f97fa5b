package dev.trellis.proxy.upstream;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;

import dev.trellis.proxy.tls.SpiffeId;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import reactor.netty.Connection;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Sends one attempt to one endpoint of a cluster and learns from it (latency, outlier errors,
 * breaker). The whole response is aggregated before it is returned, so a retry decision can be
 * taken on the status before anything reaches the caller.
 */
public final class UpstreamClient implements AutoCloseable {
    private static final RuntimeException SERVER_ERROR = new AttemptFailure(AttemptFailure.Kind.RESET, "upstream answered 5xx");

    private final ConnectionProvider pool = ConnectionProvider.builder("trellis-upstream")
            .maxConnections(1024)
            .pendingAcquireMaxCount(-1)
            .maxIdleTime(Duration.ofSeconds(30))
            .build();
    private final HttpClient plain;
    private volatile HttpClient secure;

    UpstreamClient(LoopResources loops) {
        plain = HttpClient.create(pool)
                .runOn(loops)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
                .keepAlive(true);
    }

    /**
     * Uses this client TLS context (certificate, key, trust bundle) for clusters that need mTLS.
     * Host names are not verified: endpoints are addresses and mesh certificates name workloads by
     * SPIFFE ID, which is checked against the cluster's identity after the handshake instead.
     */
    public void useTls(SslContext context) {
        secure = plain.secure(spec -> spec.sslContext(context).handlerConfigurator(handler -> {
            SSLParameters parameters = handler.engine().getSSLParameters();
            // null would keep the HTTPS check Reactor Netty turned on; an empty name turns it off.
            parameters.setEndpointIdentificationAlgorithm("");
            handler.engine().setSSLParameters(parameters);
        }));
    }

    Mono<UpstreamResponse> call(ClusterRuntime cluster, HttpMethod method, String pathAndQuery, HttpHeaders headers,
                                byte[] body, long perTryTimeoutMs) {
        return Mono.defer(() -> {
            EndpointState endpoint = cluster.pick();
            if (endpoint == null) return Mono.error(new AttemptFailure(AttemptFailure.Kind.NO_ENDPOINT, cluster.cluster().name()));
            HttpClient client = cluster.cluster().mtls() ? secure : plain;
            if (client == null) return Mono.error(new AttemptFailure(AttemptFailure.Kind.CONNECT, "no certificate for mTLS"));
            CircuitBreaker breaker = cluster.breaker();
            if (breaker != null && !breaker.tryAcquirePermission()) {
                return Mono.error(new AttemptFailure(AttemptFailure.Kind.CIRCUIT_OPEN, cluster.cluster().name()));
            }
            if (!cluster.tryEnter()) {
                if (breaker != null) breaker.releasePermission();
                return Mono.error(new AttemptFailure(AttemptFailure.Kind.OVERLOADED, cluster.cluster().name()));
            }
            Outcome outcome = new Outcome(cluster, endpoint, breaker);
            Mono<UpstreamResponse> response = client.request(method)
                    .uri(endpoint.baseUri + pathAndQuery)
                    .send((request, out) -> {
                        request.headers(headers);
                        // headers(...) keeps the client's own Host; the mesh forwards the caller's authority.
                        String host = headers.get("host");
                        if (host != null) request.header("host", host);
                        return body.length == 0 ? out : out.sendObject(Unpooled.wrappedBuffer(body));
                    })
                    .responseConnection((head, connection) -> {
                        String expected = cluster.cluster().mtls() ? cluster.cluster().identity() : null;
                        if (expected != null && !expected.equals(peerIdentity(connection))) {
                            connection.dispose();
                            return Mono.error(new AttemptFailure(AttemptFailure.Kind.CONNECT, "peer is not " + expected));
                        }
                        return connection.inbound().receive().aggregate().retain()
                                .defaultIfEmpty(Unpooled.EMPTY_BUFFER)
                                .map(bytes -> new UpstreamResponse(head.status().code(), head.responseHeaders(), bytes));
                    })
                    .single();
            if (perTryTimeoutMs > 0) response = response.timeout(Duration.ofMillis(perTryTimeoutMs));
            return response
                    .doOnNext(r -> outcome.finish(r.status() >= 500))
                    .onErrorMap(e -> {
                        outcome.finish(true);
                        return classify(e);
                    })
                    .doOnCancel(outcome::abandon);
        });
    }

    private static String peerIdentity(Connection connection) {
        SslHandler tls = connection.channel().pipeline().get(SslHandler.class);
        if (tls == null) return null;
        try {
            return SpiffeId.of(tls.engine().getSession().getPeerCertificates());
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    private static AttemptFailure classify(Throwable e) {
        if (e instanceof AttemptFailure failure) return failure;
        if (e instanceof TimeoutException) return new AttemptFailure(AttemptFailure.Kind.PER_TRY_TIMEOUT, "attempt timed out");
        Throwable cause = e;
        while (cause != null) {
            if (cause instanceof ConnectException) return new AttemptFailure(AttemptFailure.Kind.CONNECT, cause.getMessage());
            cause = cause.getCause();
        }
        if (e instanceof IOException || e.getCause() instanceof IOException) {
            return new AttemptFailure(AttemptFailure.Kind.RESET, e.getMessage());
        }
        return new AttemptFailure(AttemptFailure.Kind.RESET, e.getClass().getSimpleName());
    }

    @Override
    public void close() {
        pool.dispose();
    }

    /** Settles one attempt exactly once, whether it answered, failed or was cancelled. */
    private static final class Outcome {
        private final ClusterRuntime cluster;
        private final EndpointState endpoint;
        private final CircuitBreaker breaker;
        private final long start = System.nanoTime();
        private final AtomicBoolean settled = new AtomicBoolean();

        Outcome(ClusterRuntime cluster, EndpointState endpoint, CircuitBreaker breaker) {
            this.cluster = cluster;
            this.endpoint = endpoint;
            this.breaker = breaker;
            endpoint.inFlight.incrementAndGet();
        }

        void finish(boolean failed) {
            if (!settled.compareAndSet(false, true)) return;
            long elapsed = System.nanoTime() - start;
            endpoint.inFlight.decrementAndGet();
            cluster.leave();
            cluster.record(endpoint, elapsed, failed);
            if (breaker == null) return;
            if (failed) breaker.onError(elapsed, TimeUnit.NANOSECONDS, SERVER_ERROR);
            else breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
        }

        void abandon() {
            if (!settled.compareAndSet(false, true)) return;
            endpoint.inFlight.decrementAndGet();
            cluster.leave();
            if (breaker != null) breaker.releasePermission();
        }
    }
}
