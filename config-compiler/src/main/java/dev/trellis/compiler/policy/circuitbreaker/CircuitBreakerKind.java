package dev.trellis.compiler.policy.circuitbreaker;

import dev.trellis.compiler.document.ObjectReader;
import dev.trellis.compiler.policy.PolicyBody;
import dev.trellis.compiler.policy.PolicyKind;
import dev.trellis.compiler.snapshot.CircuitBreaker;

/** {@code CIRCUIT_BREAKER}: callers stop calling a failing or slow service for a while. Service targets only. */
public final class CircuitBreakerKind extends PolicyKind {
    public CircuitBreakerKind() {
        super("CIRCUIT_BREAKER", false, "circuitBreaker");
    }

    @Override
    public PolicyBody read(ObjectReader spec) {
        Integer failureRate = spec.integer("failureRatePercent", 1, 100, false);
        Long slowCall = spec.duration("slowCallThreshold", 1, 3_600_000, false);
        Integer slowRate = spec.integer("slowCallRatePercent", 1, 100, false);
        Integer minimumCalls = spec.integer("minimumCalls", 1, 10_000, false);
        Integer window = spec.integer("windowSize", 1, 10_000, false);
        Long open = spec.duration("openDuration", 1_000, 3_600_000, false);
        Integer concurrent = spec.integer("maxConcurrentRequests", 0, 100_000, false);
        int min = minimumCalls == null ? 20 : minimumCalls;
        int win = window == null ? 100 : window;
        if (min > win) spec.violation("minimumCalls", "must not exceed windowSize (" + win + ")");
        return new CircuitBreakerSpec(new CircuitBreaker(failureRate == null ? 50 : failureRate,
                slowCall == null ? 0 : slowCall, slowRate == null ? 100 : slowRate, min, win,
                open == null ? 30_000 : open, concurrent == null ? 0 : concurrent));
    }
}
