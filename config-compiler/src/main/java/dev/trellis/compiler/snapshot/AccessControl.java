package dev.trellis.compiler.snapshot;

import java.util.List;

/**
 * Access rules checked against the caller's SPIFFE identity (from its mTLS certificate).
 * Rules are evaluated in order: a matching DENY wins over any ALLOW; when no rule matches,
 * {@code defaultAction} applies (DENY under STRICT, ALLOW otherwise unless policies say so).
 */
public record AccessControl(Action defaultAction, List<AccessRule> rules) {
    public AccessControl {
        rules = List.copyOf(rules);
    }

    public enum Action { ALLOW, DENY }

    /**
     * @param action     ALLOW or DENY
     * @param identities caller SPIFFE IDs this rule applies to; empty means any caller
     * @param paths      path prefixes; empty means any path
     * @param methods    HTTP methods; empty means any method
     * @param policy     the policy this rule came from, for logs and metrics
     */
    public record AccessRule(Action action, List<String> identities, List<String> paths, List<String> methods,
                             String policy) {
        public AccessRule {
            identities = List.copyOf(identities);
            paths = List.copyOf(paths);
            methods = List.copyOf(methods);
        }
    }
}
