package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.WeightedCluster;

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

    /**
     * Checks the rules of one service's upstream entry: weights of 0 and versions without endpoints.
     * Adds to {@code reached} every cluster its rules (other than the catch-all) send traffic to.
     */
    static void checkRules(String service, SnapshotParts parts, Set<String> reached, List<Warning> warnings) {
        String defaultId = service + "/default";
        for (RouteRule rule : parts.upstream(service).rules()) {
            if (rule.id().equals(defaultId)) continue;
            for (WeightedCluster b : rule.backends()) {
                if (b.weight() == 0) {
                    warnings.add(new Warning("UNREACHABLE_VERSION", "rule " + rule.id() + " gives " + b.cluster()
                            + " a weight of 0: that backend gets none of its traffic",
                            List.of(TimeoutBudgets.resourceOf(rule, service))));
                    continue;
                }
                reached.add(b.cluster());
                int slash = b.cluster().indexOf('/');
                if (slash > 0 && parts.cluster(b.cluster()).endpoints().isEmpty()) {
                    warnings.add(new Warning("VERSION_WITHOUT_ENDPOINTS", "rule " + rule.id() + " sends traffic to "
                            + b.cluster() + ", which has no endpoints: those requests will fail",
                            List.of(TimeoutBudgets.resourceOf(rule, service), "services/" + b.cluster().substring(0, slash))));
                }
            }
        }
    }

    /** Versions that no rule picks while the service's own rules keep every request from its catch-all. */
    static void unreachableVersions(MeshState state, Set<String> reached, Set<String> catchAllReachable,
                                    List<Warning> warnings) {
        for (var e : state.services().entrySet()) {
            String service = e.getKey();
            if (e.getValue().versions().isEmpty() || reached.contains(service) || catchAllReachable.contains(service)) continue;
            for (ServiceSpec.Version v : e.getValue().versions()) {
                if (!reached.contains(service + "/" + v.name())) {
                    warnings.add(new Warning("UNREACHABLE_VERSION", "version " + v.name() + " of " + service
                            + " gets no traffic: every rule for it picks other versions", List.of("services/" + service)));
                }
            }
        }
    }

    /** Whether requests can fall through to the service's catch-all rule (no earlier rule takes everything). */
    static boolean catchAllReachable(SnapshotParts parts, String service) {
        List<RouteRule> rules = parts.upstream(service).rules();
        Match any = Match.any();
        for (int i = 0; i < rules.size() - 1; i++) {
            if (ShadowedRules.covers(rules.get(i).match(), any)) return false;
        }
        return true;
    }
}
