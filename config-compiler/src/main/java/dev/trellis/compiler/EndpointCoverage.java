package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.WeightedCluster;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Traffic sent where nothing can answer, and versions no traffic can reach: routes to a version
 * with no endpoints (static or registered), split weights of 0, and versions of a service whose
 * rules catch every request without ever picking them.
 */
final class EndpointCoverage {
    private EndpointCoverage() {
    }

    static void check(MeshState state, SnapshotParts parts, List<Warning> warnings) {
        Set<String> reached = new HashSet<>();
        Set<String> warnedEmpty = new HashSet<>();
        for (String service : state.services().keySet()) {
            for (RouteRule rule : parts.upstream(service).rules()) {
                for (WeightedCluster b : rule.backends()) {
                    String route = TimeoutBudgets.resourceOf(rule, service);
                    if (b.weight() == 0) {
                        warnings.add(new Warning("UNREACHABLE_VERSION", "rule " + rule.id() + " gives " + b.cluster()
                                + " a weight of 0: that backend gets none of its traffic", List.of(route)));
                        continue;
                    }
                    // The catch-all counts only when requests can reach it (checked below).
                    if (!rule.id().equals(service + "/default")) reached.add(b.cluster());
                    if (!b.cluster().contains("/") || !warnedEmpty.add(b.cluster() + " " + route)) continue;
                    if (parts.cluster(b.cluster()).endpoints().isEmpty()) {
                        String target = b.cluster().substring(0, b.cluster().indexOf('/'));
                        warnings.add(new Warning("VERSION_WITHOUT_ENDPOINTS", "rule " + rule.id() + " sends traffic to "
                                + b.cluster() + ", which has no endpoints: those requests will fail",
                                List.of(route, "services/" + target)));
                    }
                }
            }
        }
        for (var e : state.services().entrySet()) {
            if (e.getValue().versions().isEmpty() || reached.contains(e.getKey()) || catchAllReachable(parts, e.getKey())) {
                continue;
            }
            for (ServiceSpec.Version v : e.getValue().versions()) {
                if (!reached.contains(e.getKey() + "/" + v.name())) {
                    warnings.add(new Warning("UNREACHABLE_VERSION", "version " + v.name() + " of " + e.getKey()
                            + " gets no traffic: every rule for it picks other versions", List.of("services/" + e.getKey())));
                }
            }
        }
    }

    /** Whether requests can fall through to the service's catch-all rule (no earlier rule takes everything). */
    private static boolean catchAllReachable(SnapshotParts parts, String service) {
        List<RouteRule> rules = parts.upstream(service).rules();
        Match any = Match.any();
        for (int i = 0; i < rules.size() - 1; i++) {
            if (ShadowedRules.covers(rules.get(i).match(), any)) return false;
        }
        return true;
    }
}
