package dev.trellis.compiler;

import dev.trellis.compiler.policy.PolicyBody;

/**
 * A policy document: {@code {"kind": "RETRY", "target": {"service": "echo", "route": "echo-canary"}, "spec": {...}}}.
 *
 * @param kind   one of the registered kinds ({@code RETRY}, {@code TIMEOUT}, {@code CIRCUIT_BREAKER},
 *               {@code OUTLIER_DETECTION}, {@code RATE_LIMIT}, {@code FAULT_INJECTION}, {@code ACCESS},
 *               {@code LOAD_BALANCER}); see {@code docs/policies.md}
 * @param target what it applies to
 * @param spec   the validated spec of that kind
 */
public record PolicySpec(String kind, Target target, PolicyBody spec) {
    /** A service, or one route of it when {@code route} is not null. */
    public record Target(String service, String route) {
    }
}
