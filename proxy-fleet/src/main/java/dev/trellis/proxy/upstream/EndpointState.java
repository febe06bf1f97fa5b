package dev.trellis.proxy.upstream;

import java.util.concurrent.atomic.AtomicInteger;

import dev.trellis.compiler.snapshot.Cluster;

/**
 * One endpoint of a cluster and what the proxy has learnt about it: requests in flight, a peak-EWMA
 * of its latency, its recent gateway failures (connect failures, resets, timeouts) and its outlier
 * state. It outlives snapshots that keep listing the endpoint, so a snapshot swap forgets neither
 * latency, failures nor ejections.
 */
final class EndpointState {
    /** Decay of the latency average and of failure penalties, as in Linkerd and Finagle. */
    private static final double DECAY_NANOS = 10_000_000_000d;
    /**
     * What a gateway failure counts as in the latency average: far above any real answer, so
     * EWMA's two choices pass a failing endpoint over, yet fading (with {@link #DECAY_NANOS}) so
     * that it is tried again once it has had time to come back.
     */
    static final long FAILURE_PENALTY_NANOS = 5_000_000_000L;

    final Cluster.Endpoint endpoint;
    final String baseUri;
    final AtomicInteger inFlight = new AtomicInteger();
    /** The endpoint did not select {@code h2} by ALPN: requests to it go as HTTP/1.1. */
    volatile boolean http1Only;
    private double ewmaNanos;
    private long lastSampleNanos = System.nanoTime();
    private int consecutiveErrors;
    private int gatewayFailures;
    private long lastFailureNanos;
    private int timesEjected;
    private volatile long ejectedUntilNanos;

    EndpointState(Cluster.Endpoint endpoint, boolean secure) {
        this.endpoint = endpoint;
        String host = endpoint.address().contains(":") ? "[" + endpoint.address() + "]" : endpoint.address();
        this.baseUri = (secure ? "https://" : "http://") + host + ":" + endpoint.port();
    }

    /** Peak-EWMA cost: the latency estimate, decayed to now, weighted by the load already sent to it. */
    synchronized double cost() {
        double decayed = ewmaNanos * Math.exp(-(System.nanoTime() - lastSampleNanos) / DECAY_NANOS);
        return decayed * (inFlight.get() + 1);
    }

    /** Least-request cost: requests in flight, multiplied up while recent gateway failures have not faded. */
    synchronized double load() {
        return (inFlight.get() + 1) * (1 + 10 * failureScore(System.nanoTime()));
    }

    /** Whether recent gateway failures (at least one in the last ~7 s, more for longer) make this endpoint one to pass over. */
    synchronized boolean suspect() {
        return failureScore(System.nanoTime()) >= 0.5;
    }

    /** Gateway failures in a row, fading with the time since the last one; 0 once an answer came. */
    private double failureScore(long nowNanos) {
        return gatewayFailures == 0 ? 0 : gatewayFailures * Math.exp(-(nowNanos - lastFailureNanos) / DECAY_NANOS);
    }

    synchronized void recordLatency(long rttNanos) {
        long now = System.nanoTime();
        double weight = Math.exp(-(now - lastSampleNanos) / DECAY_NANOS);
        lastSampleNanos = now;
        // "Peak": a slower sample replaces the average at once, a faster one only pulls it down slowly.
        ewmaNanos = rttNanos > ewmaNanos ? rttNanos : ewmaNanos * weight + rttNanos * (1 - weight);
    }

    /**
     * A connect failure, reset or timeout: the latency average takes the penalty (a refused connect
     * is fast, and must not make a dead endpoint look like the cheapest one); answers how many such
     * failures came in a row.
     */
    synchronized int recordGatewayFailure() {
        recordLatency(FAILURE_PENALTY_NANOS);
        lastFailureNanos = System.nanoTime();
        return ++gatewayFailures;
    }

    boolean ejected(long nowNanos) {
        return nowNanos < ejectedUntilNanos;
    }

    /** Counts an error; answers true when this error should eject the endpoint. */
    synchronized boolean recordError(int threshold) {
        return ++consecutiveErrors >= threshold;
    }

    synchronized void recordSuccess() {
        consecutiveErrors = 0;
        gatewayFailures = 0;
    }

    synchronized void eject(long nowNanos, long baseEjectionMs) {
        timesEjected = Math.min(timesEjected + 1, 10);
        consecutiveErrors = 0;
        gatewayFailures = 0;
        ejectedUntilNanos = nowNanos + baseEjectionMs * 1_000_000L * timesEjected;
    }
}
