package dev.trellis.proxy.upstream;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.WeightedCluster;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;

/**
 * Where the connections of a {@code tcp} service go: one of the rule's weighted clusters, then an
 * endpoint picked by the cluster's balancer, one new connection per caller connection (mTLS with the
 * cluster's identity checked, as for HTTP). A failed or timed-out connect counts as a gateway failure
 * of its endpoint (so balancers pass it over and it is ejected after a few in a row) and is tried on
 * another endpoint, up to {@link #MAX_ENDPOINTS_TRIED}: nothing was sent yet, so that is always safe.
 * The breaker counts connects; its concurrency limit caps open connections.
 */
public final class TcpUpstream {
    static final int MAX_ENDPOINTS_TRIED = 3;

    private final WeightedSplit split;
    private final UpstreamClient client;

    public TcpUpstream(List<WeightedCluster> backends, Map<String, ClusterRuntime> clusters, UpstreamClient client) {
        this.split = new WeightedSplit(backends, clusters);
        this.client = client;
    }

    /** What became of one connect. */
    public interface Outcome {
        /** {@code upstream} is open (and verified); {@code done} must run once it has closed. */
        void connected(Channel upstream, Runnable done);

        /** One endpoint could not be reached (another may be tried next). */
        void endpointFailed(String endpoint, String detail);

        /** No connection: {@code reason} is {@code no-healthy-endpoint}, {@code circuit-open}, {@code overloaded} or {@code connect-failure}. */
        void failed(String reason, String detail);
    }

    /** Opens a connection on {@code loop} (the caller's), with auto-read off and nothing but TLS in its pipeline. */
    public void connect(EventLoop loop, int connectTimeoutMs, Outcome outcome) {
        ClusterRuntime cluster = split.pick();
        CircuitBreaker breaker = cluster.breaker();
        if (breaker != null && !breaker.tryAcquirePermission()) {
            outcome.failed("circuit-open", cluster.cluster().name());
            return;
        }
        if (!cluster.tryEnter()) {
            if (breaker != null) breaker.releasePermission();
            outcome.failed("overloaded", cluster.cluster().name());
            return;
        }
        attempt(loop, connectTimeoutMs, cluster, breaker, null, 1, outcome);
    }

    private void attempt(EventLoop loop, int timeoutMs, ClusterRuntime cluster, CircuitBreaker breaker, EndpointState avoid,
                         int tried, Outcome outcome) {
        EndpointState endpoint = cluster.pick(avoid);
        if (endpoint == null) {
            cluster.leave();
            if (breaker != null) breaker.releasePermission();
            outcome.failed("no-healthy-endpoint", cluster.cluster().name());
            return;
        }
        Cluster spec = cluster.cluster();
        SslContext tls = spec.mtls() ? client.tls() : null;
        endpoint.inFlight.incrementAndGet();
        long started = System.nanoTime();
        ChannelFuture connect = UpstreamClient.bootstrap(loop)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMs)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (tls != null) {
                            UpstreamClient.addTls(channel, tls, endpoint);
                            channel.read(); // the handshake needs the server's answer
                        }
                    }
                })
                .connect(endpoint.endpoint.address(), endpoint.endpoint.port());
        connect.addListener(done -> {
            if (!done.isSuccess()) {
                failed(loop, timeoutMs, cluster, breaker, endpoint, started, tried, outcome, String.valueOf(done.cause().getMessage()));
                return;
            }
            Channel channel = connect.channel();
            UpstreamClient.whenVerified(channel, spec.identity(), peer -> {
                long elapsed = System.nanoTime() - started;
                cluster.record(endpoint, elapsed, false);
                if (breaker != null) breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                outcome.connected(channel, () -> {
                    endpoint.inFlight.decrementAndGet();
                    cluster.leave();
                });
            }, reason -> failed(loop, timeoutMs, cluster, breaker, endpoint, started, tried, outcome, reason));
        });
    }

    private void failed(EventLoop loop, int timeoutMs, ClusterRuntime cluster, CircuitBreaker breaker, EndpointState endpoint,
                        long started, int tried, Outcome outcome, String detail) {
        long elapsed = System.nanoTime() - started;
        endpoint.inFlight.decrementAndGet();
        cluster.record(endpoint, elapsed, true);
        cluster.gatewayFailure(endpoint);
        outcome.endpointFailed(endpoint.endpoint.address() + ":" + endpoint.endpoint.port(), detail);
        if (tried < MAX_ENDPOINTS_TRIED && cluster.endpoints().size() > tried) {
            attempt(loop, timeoutMs, cluster, breaker, endpoint, tried + 1, outcome);
            return;
        }
        cluster.leave();
        if (breaker != null) breaker.onError(elapsed, TimeUnit.NANOSECONDS, new java.io.IOException(detail));
        outcome.failed("connect-failure", detail);
    }
}
