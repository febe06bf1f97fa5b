package dev.trellis.proxy.upstream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.OutlierDetection;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

/**
 * A cluster as the proxy runs it: its endpoints with their learnt state, how to pick one, its
 * circuit breaker and its outlier ejection. Endpoints are ejected here, on what the proxy saw,
 * even when discovery (the snapshot) still lists them; gateway failures eject by default.
 */
public final class ClusterRuntime {
    /**
     * Outlier ejection for clusters without an OUTLIER_DETECTION policy, on gateway failures only
     * (connect failures, resets, timeouts; not 5xx answers): 3 in a row eject an endpoint for 30 s
     * (times the ejections so far), at most half of a cluster at once (at least one).
     */
    static final OutlierDetection GATEWAY_FAILURES = new OutlierDetection(3, 30_000, 50);

    private final Cluster cluster;
    private final List<EndpointState> endpoints;
    private final EndpointPicker picker;
    private final CircuitBreaker breaker;
    private final AtomicInteger active = new AtomicInteger();

    ClusterRuntime(Cluster cluster, Map<Cluster.Endpoint, EndpointState> previous) {
        this.cluster = cluster;
        List<EndpointState> states = new ArrayList<>();
        for (Cluster.Endpoint e : cluster.endpoints()) {
            EndpointState known = previous.get(e);
            states.add(known != null ? known : new EndpointState(e, cluster.mtls()));
        }
        this.endpoints = List.copyOf(states);
        this.picker = EndpointPicker.of(cluster.loadBalancer());
        this.breaker = cluster.circuitBreaker() == null ? null : breakerOf(cluster.name(), cluster.circuitBreaker());
    }

    private static CircuitBreaker breakerOf(String name, dev.trellis.compiler.snapshot.CircuitBreaker spec) {
        CircuitBreakerConfig.Builder config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(Math.max(1, spec.windowSize()))
                .minimumNumberOfCalls(Math.max(1, spec.minimumCalls()))
                .failureRateThreshold(clampPercent(spec.failureRatePercent()))
                .waitDurationInOpenState(Duration.ofMillis(Math.max(1, spec.openMs())))
                .permittedNumberOfCallsInHalfOpenState(3);
        if (spec.slowCallMs() > 0) {
            config.slowCallDurationThreshold(Duration.ofMillis(spec.slowCallMs()))
                    .slowCallRateThreshold(clampPercent(spec.slowCallRatePercent()));
        }
        return CircuitBreaker.of(name, config.build());
    }

    private static float clampPercent(int percent) {
        return percent <= 0 || percent > 100 ? 100f : percent;
    }

    /** Whether requests go to the endpoints as HTTP/2 streams (h2c, prior knowledge), as a gRPC app needs. */
    private volatile boolean http2;

    public Cluster cluster() {
        return cluster;
    }

    /** Set by the route compiler from the snapshot's protocol: {@code grpc} apps speak HTTP/2 only. */
    public void http2(boolean enabled) {
        this.http2 = enabled;
    }

    boolean http2() {
        return http2;
    }

    List<EndpointState> endpoints() {
        return endpoints;
    }

    CircuitBreaker breaker() {
        return breaker;
    }

    /** Takes a concurrency slot; false when the cluster's request limit is reached. */
    boolean tryEnter() {
        int limit = cluster.circuitBreaker() == null ? 0 : cluster.circuitBreaker().maxConcurrentRequests();
        if (limit <= 0) return true;
        if (active.incrementAndGet() <= limit) return true;
        active.decrementAndGet();
        return false;
    }

    void leave() {
        int limit = cluster.circuitBreaker() == null ? 0 : cluster.circuitBreaker().maxConcurrentRequests();
        if (limit > 0) active.decrementAndGet();
    }

    /**
     * Picks an endpoint that is not ejected, or null when the cluster has none, passing over
     * {@code avoid} (the endpoint the previous attempt failed on; may be null) while another is
     * available. When every endpoint is ejected the proxy sends to all of them (Envoy's "panic"
     * mode) rather than to none.
     */
    EndpointState pick(EndpointState avoid) {
        if (endpoints.isEmpty()) return null;
        long now = System.nanoTime();
        List<EndpointState> available = endpoints;
        for (int i = 0; i < endpoints.size(); i++) {
            EndpointState e = endpoints.get(i);
            if (e == avoid || e.ejected(now)) {
                available = endpoints.stream().filter(c -> c != avoid && !c.ejected(now)).toList();
                break;
            }
        }
        if (available.isEmpty()) available = endpoints.stream().filter(c -> !c.ejected(now)).toList();
        return picker.pick(available.isEmpty() ? endpoints : available);
    }

    /** Learns from one attempt's outcome: latency for EWMA, errors for outlier ejection. */
    void record(EndpointState endpoint, long rttNanos, boolean failed) {
        endpoint.recordLatency(rttNanos);
        OutlierDetection outlier = cluster.outlierDetection();
        if (!failed) {
            endpoint.recordSuccess();
            return;
        }
        if (outlier == null || !endpoint.recordError(Math.max(1, outlier.consecutiveErrors()))) return;
        ejectIfAllowed(endpoint, outlier);
    }

    /**
     * Learns from a connect failure, reset or timeout (after {@link #record}): every balancer then
     * passes the endpoint over ({@link EndpointState#recordGatewayFailure}), and without an
     * OUTLIER_DETECTION policy {@link #GATEWAY_FAILURES} such failures in a row eject it.
     */
    void gatewayFailure(EndpointState endpoint) {
        int inARow = endpoint.recordGatewayFailure();
        if (cluster.outlierDetection() == null && inARow >= GATEWAY_FAILURES.consecutiveErrors()) {
            ejectIfAllowed(endpoint, GATEWAY_FAILURES);
        }
    }

    private void ejectIfAllowed(EndpointState endpoint, OutlierDetection outlier) {
        long now = System.nanoTime();
        long ejected = endpoints.stream().filter(e -> e.ejected(now)).count();
        // At least one endpoint may always be ejected, as in Envoy, else small clusters never eject.
        long allowed = Math.max(1, endpoints.size() * (long) outlier.maxEjectionPercent() / 100);
        if (ejected < allowed) endpoint.eject(now, outlier.baseEjectionMs());
    }
}
