package dev.trellis.compiler.policy.ratelimit;

import dev.trellis.compiler.document.ObjectReader;
import dev.trellis.compiler.policy.PolicyBody;
import dev.trellis.compiler.policy.PolicyKind;
import dev.trellis.compiler.snapshot.RateLimit;

/** {@code RATE_LIMIT}: a local token bucket per proxy. */
public final class RateLimitKind extends PolicyKind {
    public RateLimitKind() {
        super("RATE_LIMIT", true, null);
    }

    @Override
    public PolicyBody read(ObjectReader spec) {
        Double rps = spec.number("requestsPerSecond", 0.001, 1_000_000, true);
        Integer burst = spec.integer("burst", 1, 1_000_000, false);
        if (rps == null) return null;
        return new RateLimitSpec(new RateLimit(rps, burst == null ? (int) Math.max(1, Math.ceil(rps)) : burst));
    }
}
