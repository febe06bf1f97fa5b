package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.WeightedCluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;

/**
 * The whole-mesh analysis: what only shows up across resources. Findings about one service's
 * rules are kept per service with what they were computed from, so a recompile redoes only those
 * a change can reach; the graph-wide checks (retry amplification, unreachable versions, access
 * lockout) run over compact per-service summaries every time.
 */
final class Analysis {
    private Analysis() {
    }

    /**
     * What the analysis found about one service's rules.
     *
     * @param warnings          findings on its rules (shadowing, timeouts, endpoints)
     * @param reached           clusters its rules send traffic to
     * @param catchAllReachable whether requests can fall through to its catch-all rule
     * @param maxAttempts       the most attempts any of its rules allows (for retry amplification)
     * @param reads             services whose compiled parts these findings were computed from
     */
    record ServiceFindings(List<Warning> warnings, Set<String> reached, boolean catchAllReachable, int maxAttempts,
                           Set<String> reads) {
    }

    /** Findings of every check, and what to reuse next time. */
    record Findings(List<Violation> errors, List<Warning> warnings, Map<String, ServiceFindings> perService,
                    CallGraph graph, int[] attempts, GraphFindings amplification, MeshIndex index,
                    Map<String, ServiceSpec> services, List<Warning> lockout) {
    }

    /** Findings of a graph-wide check. */
    record GraphFindings(List<Violation> errors, List<Warning> warnings) {
    }

    /**
     * @param previous the findings of the compile this one starts from, or null for a full analysis
     * @param touched  services whose compiled parts changed since {@code previous}
     * @param rescoped services whose scope may have changed since {@code previous}
     */
    static Findings run(MeshState state, MeshIndex index, SnapshotParts parts, Map<String, SortedSet<String>> scopes,
                        Findings previous, Set<String> touched, Set<String> rescoped) {
        CallGraph graph = previous != null && rescoped.isEmpty() ? previous.graph() : new CallGraph(state, scopes);
        int[] attempts = new int[graph.names.length];
        Map<String, ServiceFindings> perService = new HashMap<>();
        List<Warning> warnings = new ArrayList<>();
        Set<String> reached = new HashSet<>();
        Set<String> catchAllReachable = new HashSet<>();
        for (String service : state.services().keySet()) {
            ServiceFindings f = previous == null ? null : previous.perService().get(service);
            if (f == null || rescoped.contains(service) || intersects(f.reads(), touched)) f = of(service, parts, graph);
            perService.put(service, f);
            warnings.addAll(f.warnings());
            reached.addAll(f.reached());
            if (f.catchAllReachable()) catchAllReachable.add(service);
            attempts[graph.ids.get(service)] = f.maxAttempts();
        }
        EndpointCoverage.unreachableVersions(state, reached, catchAllReachable, warnings);
        GraphFindings amplification;
        if (previous != null && previous.graph() == graph && Arrays.equals(previous.attempts(), attempts)) {
            amplification = previous.amplification();
        } else {
            List<Violation> errors = new ArrayList<>();
            List<Warning> found = new ArrayList<>();
            RetryAmplification.check(state, graph, attempts, errors, found);
            amplification = new GraphFindings(List.copyOf(errors), List.copyOf(found));
        }
        warnings.addAll(amplification.warnings());
        List<Warning> lockout;
        // Lockout depends on routes' targets, policies and services only: the same index and services give the same answer.
        if (previous != null && previous.index().routesByService == index.routesByService
                && previous.services().equals(state.services())) {
            lockout = previous.lockout();
        } else {
            List<Warning> found = new ArrayList<>();
            AccessLockout.check(state, index, found);
            lockout = List.copyOf(found);
        }
        warnings.addAll(lockout);
        return new Findings(amplification.errors(), warnings, perService, graph, attempts, amplification, index,
                state.services(), lockout);
    }

    private static ServiceFindings of(String service, SnapshotParts parts, CallGraph graph) {
        List<Warning> warnings = new ArrayList<>();
        List<RouteRule> rules = parts.upstream(service).rules();
        ShadowedRules.check(service, rules, warnings);
        List<String> callees = graph.calleesOf(service);
        TimeoutBudgets.check(service, parts, callees, warnings);
        Set<String> reached = new HashSet<>();
        EndpointCoverage.checkRules(service, parts, reached, warnings);
        Set<String> reads = new HashSet<>(callees);
        reads.add(service);
        for (RouteRule rule : rules) {
            for (WeightedCluster b : rule.backends()) {
                int slash = b.cluster().indexOf('/');
                reads.add(slash < 0 ? b.cluster() : b.cluster().substring(0, slash));
            }
        }
        return new ServiceFindings(List.copyOf(warnings), Set.copyOf(reached),
                EndpointCoverage.catchAllReachable(parts, service), RetryAmplification.attempts(parts, service), reads);
    }

    private static boolean intersects(Set<String> a, Set<String> b) {
        for (String s : a) if (b.contains(s)) return true;
        return false;
    }
}
