package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.RouteRule;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Retry amplification along call chains: if A calls B with 3 attempts and B calls C with 3, one
 * request to A can become 9 calls to C. For each service, the worst product of attempts along any
 * chain of declared calls leading to it is compared with the mesh's bound; a tenant-set bound is
 * an error when exceeded, the default one a warning.
 */
final class RetryAmplification {
    private final Map<String, Long> load = new HashMap<>();
    private final Map<String, String> worstCaller = new HashMap<>();
    private final Set<String> onPath = new HashSet<>();
    private final Map<String, Integer> attempts = new HashMap<>();
    private final SnapshotParts parts;
    private final CallGraph graph;
    private final List<Warning> cycles = new ArrayList<>();

    private RetryAmplification(SnapshotParts parts, CallGraph graph) {
        this.parts = parts;
        this.graph = graph;
    }

    static void check(MeshState state, SnapshotParts parts, CallGraph graph, List<Violation> errors, List<Warning> warnings) {
        RetryAmplification r = new RetryAmplification(parts, graph);
        Integer set = state.spec().maxRetryAmplification();
        int bound = set == null ? MeshSpec.DEFAULT_RETRY_AMPLIFICATION : set;
        for (String service : state.services().keySet()) {
            long worst = r.load(service);
            if (worst <= bound) continue;
            List<String> chain = r.chain(service);
            String message = "one request to " + chain.getFirst() + " can become " + worst + " calls to " + service
                    + " through retries along " + String.join(" -> ", chain) + " (bound " + bound + ")";
            if (set != null) errors.add(new Violation("mesh", "analysis.maxRetryAmplification", message));
            else warnings.add(new Warning("RETRY_AMPLIFICATION", message, chain.stream().map(s -> "services/" + s).toList()));
        }
        warnings.addAll(r.cycles);
    }

    /** Worst number of calls the service receives for one request entering at the head of a chain. */
    private long load(String service) {
        Long known = load.get(service);
        if (known != null) return known;
        onPath.add(service);
        long worst = 1;
        String worstFrom = null;
        for (String caller : graph.callersOf(service)) {
            if (onPath.contains(caller)) {
                if (attempts(service) > 1 && cycles.size() < 20) {
                    cycles.add(new Warning("RETRY_AMPLIFICATION", "calls loop from " + service + " back to " + caller
                            + " and retry at each hop: amplification around the loop has no bound",
                            List.of("services/" + caller, "services/" + service)));
                }
                continue;
            }
            long viaCaller = Math.min(Long.MAX_VALUE / 16, load(caller) * attempts(service));
            if (viaCaller > worst) {
                worst = viaCaller;
                worstFrom = caller;
            }
        }
        onPath.remove(service);
        load.put(service, worst);
        if (worstFrom != null) worstCaller.put(service, worstFrom);
        return worst;
    }

    /** The most attempts any rule gives a call to the service. */
    private int attempts(String service) {
        return attempts.computeIfAbsent(service, s -> {
            int max = 1;
            for (RouteRule rule : parts.upstream(s).rules()) {
                if (rule.retry() != null) max = Math.max(max, rule.retry().attempts());
            }
            return max;
        });
    }

    private List<String> chain(String service) {
        List<String> chain = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String s = service; s != null && seen.add(s); s = worstCaller.get(s)) chain.add(s);
        Collections.reverse(chain);
        return chain;
    }
}
