package dev.trellis.compiler;

import dev.trellis.compiler.document.Durations;
import dev.trellis.compiler.snapshot.Retry;
import dev.trellis.compiler.snapshot.RouteRule;

import java.util.ArrayList;
import java.util.List;

/**
 * Timeout budgets: a rule whose overall timeout cannot fit the attempts its retry policy allows,
 * and a service whose callers give it less time than its own calls may take with their retries.
 */
final class TimeoutBudgets {
    private TimeoutBudgets() {
    }

    /** Checks one service's rules, and what its callers give it against what its own calls may take. */
    static void check(String service, SnapshotParts parts, List<String> callees, List<Warning> warnings) {
        for (RouteRule rule : parts.upstream(service).rules()) {
            long needed = retriesNeed(rule.retry());
            if (rule.timeoutMs() > 0 && needed > rule.timeoutMs()) {
                warnings.add(new Warning("TIMEOUT_BUDGET", "rule " + rule.id() + " to " + service + " has a timeout of "
                        + Durations.format(rule.timeoutMs()) + " but its " + rule.retry().attempts()
                        + " attempts may need " + Durations.format(needed) + ": later retries are cut off",
                        List.of(resourceOf(rule, service))));
            }
        }
        hops(service, parts, callees, warnings);
    }

    /** A service's callers time out before its own calls, with their retries, can finish. */
    private static void hops(String service, SnapshotParts parts, List<String> callees, List<Warning> warnings) {
        long downstream = 0;
        RouteRule slowest = null;
        String slowestService = null;
        for (String callee : callees) {
            for (RouteRule rule : parts.upstream(callee).rules()) {
                long takes = rule.timeoutMs() > 0 ? rule.timeoutMs() : retriesNeed(rule.retry());
                if (takes > downstream) {
                    downstream = takes;
                    slowest = rule;
                    slowestService = callee;
                }
            }
        }
        if (slowest == null) return;
        for (RouteRule rule : parts.upstream(service).rules()) {
            if (rule.timeoutMs() > 0 && rule.timeoutMs() < downstream) {
                List<String> resources = new ArrayList<>(List.of(resourceOf(rule, service)));
                String other = resourceOf(slowest, slowestService);
                if (!resources.contains(other)) resources.add(other);
                warnings.add(new Warning("TIMEOUT_BUDGET", "callers of " + service + " give up after "
                        + Durations.format(rule.timeoutMs()) + " (rule " + rule.id() + ") but " + service + "'s call to "
                        + slowestService + " may take " + Durations.format(downstream) + " (rule " + slowest.id() + ")",
                        resources));
            }
        }
    }

    /** Time all attempts may take: each attempt's timeout plus capped exponential backoff between them. */
    static long retriesNeed(Retry retry) {
        if (retry == null || retry.perTryTimeoutMs() <= 0) return 0;
        long total = retry.attempts() * retry.perTryTimeoutMs();
        long backoff = retry.backoffBaseMs();
        for (int i = 1; i < retry.attempts(); i++) {
            total += Math.min(backoff, retry.backoffMaxMs());
            backoff *= 2;
        }
        return total;
    }

    static String resourceOf(RouteRule rule, String service) {
        String id = rule.id();
        return id.endsWith("/default") && id.equals(service + "/default") ? "services/" + service
                : "routes/" + id.substring(0, id.lastIndexOf('/'));
    }
}
