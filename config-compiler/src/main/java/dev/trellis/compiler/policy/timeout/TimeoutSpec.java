package dev.trellis.compiler.policy.timeout;

import dev.trellis.compiler.policy.PolicyBody;
import dev.trellis.compiler.policy.PolicyLevel;
import dev.trellis.compiler.policy.PolicySlots;

/**
 * A {@code TIMEOUT} policy's spec ({@code {"timeout": "2s"}}), also a route rule's {@code timeout}
 * and the mesh default {@code defaults.timeout}.
 *
 * @param timeoutMs overall time a call may take, retries included
 */
public record TimeoutSpec(long timeoutMs) implements PolicyBody {
    @Override
    public void applyTo(PolicyLevel level, PolicySlots slots) {
        slots.timeoutMs = timeoutMs;
    }
}
