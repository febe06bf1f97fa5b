package dev.trellis.compiler.policy.retry;

import dev.trellis.compiler.policy.PolicyBody;
import dev.trellis.compiler.policy.PolicyLevel;
import dev.trellis.compiler.policy.PolicySlots;
import dev.trellis.compiler.snapshot.Retry;

import java.util.List;

/**
 * A {@code RETRY} policy's spec, and the {@code retry} field of a route rule and of the mesh defaults.
 *
 * @param attempts        total attempts including the first, 1–10
 * @param perTryTimeoutMs timeout of each attempt, 0 for none
 * @param retryOn         conditions that trigger a retry
 * @param backoffBaseMs   first backoff
 * @param backoffMaxMs    backoff cap
 * @param budgetPercent   retries may add at most this percentage to the request rate
 */
public record RetrySpec(int attempts, long perTryTimeoutMs, List<String> retryOn, long backoffBaseMs,
                        long backoffMaxMs, int budgetPercent) implements PolicyBody {
    public RetrySpec {
        retryOn = List.copyOf(retryOn);
    }

    /** The compiled form. */
    public Retry compiled() {
        return new Retry(attempts, perTryTimeoutMs, retryOn, backoffBaseMs, backoffMaxMs, budgetPercent);
    }

    @Override
    public void applyTo(PolicyLevel level, PolicySlots slots) {
        slots.retry = compiled();
    }
}
