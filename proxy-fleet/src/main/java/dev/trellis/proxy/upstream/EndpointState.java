package dev.trellis.proxy.upstream;

import java.util.concurrent.atomic.AtomicInteger;

import dev.trellis.compiler.snapshot.Cluster;

/**
 * One endpoint of a cluster and what the proxy has learnt about it: requests in flight, a peak-EWMA
 * of its latency, and its outlier state. It outlives snapshots that keep listing the endpoint, so a
 * snapshot swap forgets neither latency nor ejections.
 */
final class EndpointState {
    /** Decay of the latency average, as in Linkerd and Finagle. */
    private static final double DECAY_NANOS = 10_000_000_000d;

    final Cluster.Endpoint endpoint;
    final String baseUri;
    final AtomicInteger inFlight = new AtomicInteger();
    private double ewmaNanos;
    private long lastSampleNanos = System.nanoTime();
    private int consecutiveErrors;
    private int timesEjected;
    private volatile long ejectedUntilNanos;

    EndpointState(Cluster.Endpoint endpoint, boolean secure) {
        this.endpoint = endpoint;
        String host = endpoint.address().contains(":") ? "[" + endpoint.address() + "]" : endpoint.address();
        this.baseUri = (secure ? "https://" : "http://") + host + ":" + endpoint.port();
    }

    /** Peak-EWMA cost: the latency estimate weighted by the load already sent to it. */
    synchronized double cost() {
        return ewmaNanos * (inFlight.get() + 1);
    }

    synchronized void recordLatency(long rttNanos) {
        long now = System.nanoTime();
        double weight = Math.exp(-(now - lastSampleNanos) / DECAY_NANOS);
        lastSampleNanos = now;
        // "Peak": a slower sample replaces the average at once, a faster one only pulls it down slowly.
        ewmaNanos = rttNanos > ewmaNanos ? rttNanos : ewmaNanos * weight + rttNanos * (1 - weight);
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
    }

    synchronized void eject(long nowNanos, long baseEjectionMs) {
        timesEjected = Math.min(timesEjected + 1, 10);
        consecutiveErrors = 0;
        ejectedUntilNanos = nowNanos + baseEjectionMs * 1_000_000L * timesEjected;
    }
}
