package dev.trellis.compiler.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * Access rules checked against the caller's SPIFFE identity (from its mTLS certificate) and the
 * request's normalised path ({@link RequestPath}). Rules are evaluated in order: a matching DENY
 * wins over any ALLOW; when no rule matches, {@code defaultAction} applies (DENY under STRICT, ALLOW
 * otherwise unless policies say so). Proxies and {@code /simulate} both decide with {@link #decideEveryReading}.
 */
public record AccessControl(Action defaultAction, List<AccessRule> rules) {
    public AccessControl {
        rules = List.copyOf(rules);
    }

    public enum Action { ALLOW, DENY }

    /** What {@link #decide} found: the action and the rule that gave it, or null for the default. */
    public record Decision(Action action, AccessRule rule) {
    }

    /** The decision for one request; {@code identity} is null for a caller without a certificate. */
    public Decision decide(String identity, String path, String method) {
        AccessRule allowed = null;
        for (AccessRule rule : rules) {
            if (!rule.applies(identity, path, method)) continue;
            if (rule.action() == Action.DENY) return new Decision(Action.DENY, rule);
            if (allowed == null) allowed = rule;
        }
        return allowed != null ? new Decision(Action.ALLOW, allowed) : new Decision(defaultAction, null);
    }

    /**
     * As {@link #decide}, on every way the app may read the path ({@link RequestPath#otherReadings}):
     * allowed only when each reading is allowed. This is what proxies enforce.
     */
    public Decision decideEveryReading(String identity, String normalPath, String method) {
        Decision decision = decide(identity, normalPath, method);
        if (decision.action() != Action.ALLOW) return decision;
        for (String reading : RequestPath.otherReadings(normalPath)) {
            Decision other = decide(identity, reading, method);
            if (other.action() != Action.ALLOW) return other;
        }
        return decision;
    }

    /**
     * @param action     ALLOW or DENY
     * @param identities caller SPIFFE IDs this rule applies to; empty means any caller
     * @param paths      path prefixes matched on segment boundaries: {@code /admin} matches
     *                   {@code /admin} and {@code /admin/…}, never {@code /administrator}
     * @param exactPaths paths matched whole; when both lists are empty the rule applies to any path
     * @param methods    HTTP methods; empty means any method
     * @param policy     the policy this rule came from, for logs and metrics
     */
    public record AccessRule(Action action, List<String> identities, List<String> paths,
                             @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> exactPaths,
                             List<String> methods, String policy) {
        public AccessRule {
            identities = List.copyOf(identities);
            paths = List.copyOf(paths);
            exactPaths = exactPaths == null ? List.of() : List.copyOf(exactPaths);
            methods = List.copyOf(methods);
        }

        /** A rule on path prefixes only. */
        public AccessRule(Action action, List<String> identities, List<String> paths, List<String> methods, String policy) {
            this(action, identities, paths, List.of(), methods, policy);
        }

        /** Whether the rule concerns this caller, normalised path and method. */
        public boolean applies(String identity, String path, String method) {
            return (identities.isEmpty() || (identity != null && identities.contains(identity)))
                    && (methods.isEmpty() || methods.contains(method))
                    && matchesPath(path);
        }

        /**
         * Whether the rule's paths cover {@code path}. A DENY compares ignoring ASCII case and an
         * ALLOW exactly, so that neither {@code /ADMIN} slips past a deny of {@code /admin} on an app
         * that folds case, nor does an allow of {@code /public} open {@code /PUBLIC}: both fail closed.
         */
        public boolean matchesPath(String path) {
            if (paths.isEmpty() && exactPaths.isEmpty()) return true;
            boolean ignoreCase = action == Action.DENY;
            for (String exact : exactPaths) {
                if (ignoreCase ? exact.equalsIgnoreCase(path) : exact.equals(path)) return true;
            }
            for (String prefix : paths) {
                if (coversSegments(prefix, path, ignoreCase)) return true;
            }
            return false;
        }

        private static boolean coversSegments(String prefix, String path, boolean ignoreCase) {
            int n = prefix.length();
            if (!path.regionMatches(ignoreCase, 0, prefix, 0, n)) return false;
            return path.length() == n || prefix.endsWith("/") || path.charAt(n) == '/';
        }
    }
}
