package dev.trellis.compiler.policy.circuitbreaker;

import dev.trellis.compiler.policy.PolicyBody;
import dev.trellis.compiler.policy.PolicyLevel;
import dev.trellis.compiler.policy.PolicySlots;
import dev.trellis.compiler.snapshot.CircuitBreaker;

/** A {@code CIRCUIT_BREAKER} policy's spec, compiled as is onto the service's clusters in every caller. */
public record CircuitBreakerSpec(CircuitBreaker breaker) implements PolicyBody {
    @Override
    public void applyTo(PolicyLevel level, PolicySlots slots) {
        slots.circuitBreaker = breaker;
    }
}
