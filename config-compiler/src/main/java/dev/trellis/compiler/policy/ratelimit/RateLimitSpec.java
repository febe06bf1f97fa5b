package dev.trellis.compiler.policy.ratelimit;

import dev.trellis.compiler.policy.PolicyBody;
import dev.trellis.compiler.policy.PolicyLevel;
import dev.trellis.compiler.policy.PolicySlots;
import dev.trellis.compiler.snapshot.RateLimit;

/**
 * A {@code RATE_LIMIT} policy's spec. On a service (or as mesh default) it limits the service's
 * inbound calls in each of its proxies; on a route it limits that route's calls in each caller's proxy.
 */
public record RateLimitSpec(RateLimit limit) implements PolicyBody {
    @Override
    public void applyTo(PolicyLevel level, PolicySlots slots) {
        if (level == PolicyLevel.ROUTE || level == PolicyLevel.RULE) slots.ruleRateLimit = limit;
        else slots.inboundRateLimit = limit;
    }
}
