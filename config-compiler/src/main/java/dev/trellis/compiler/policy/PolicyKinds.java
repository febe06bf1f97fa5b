package dev.trellis.compiler.policy;

import dev.trellis.compiler.policy.access.AccessKind;
import dev.trellis.compiler.policy.circuitbreaker.CircuitBreakerKind;
import dev.trellis.compiler.policy.faultinjection.FaultInjectionKind;
import dev.trellis.compiler.policy.loadbalancer.LoadBalancerKind;
import dev.trellis.compiler.policy.outlierdetection.OutlierDetectionKind;
import dev.trellis.compiler.policy.ratelimit.RateLimitKind;
import dev.trellis.compiler.policy.retry.RetryKind;
import dev.trellis.compiler.policy.timeout.TimeoutKind;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The one place where policy kinds are registered: adding a kind is a new package plus one line here. */
public final class PolicyKinds {
    private static final Map<String, PolicyKind> KINDS = new LinkedHashMap<>();

    static {
        for (PolicyKind kind : List.of(new RetryKind(), new TimeoutKind(), new CircuitBreakerKind(),
                new OutlierDetectionKind(), new RateLimitKind(), new FaultInjectionKind(), new AccessKind(),
                new LoadBalancerKind())) {
            KINDS.put(kind.name(), kind);
        }
    }

    private PolicyKinds() {
    }

    /** The kind with this {@code kind} value, if registered. */
    public static Optional<PolicyKind> named(String name) {
        return Optional.ofNullable(KINDS.get(name));
    }

    /** Every registered kind, in registration order. */
    public static List<PolicyKind> all() {
        return List.copyOf(KINDS.values());
    }
}
