package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.RouteRule;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Retry amplification along call chains: if A calls B with 3 attempts and B calls C with 3, one
 * request to A can become 9 calls to C. For each service, the worst product of attempts along any
 * chain of at most {@link #MAX_HOPS} declared calls leading to it is compared with the mesh's
 * bound; a tenant-set bound is an error when exceeded, the default one a warning. Chains may pass
 * a service twice (A → B → A is a real call pattern); the hop limit keeps loops finite, and the
 * computation is a dynamic programme over hops, linear in the size of the call graph.
 */
final class RetryAmplification {
    /** Longest chain considered; deeper chains are rare and their cost is dominated by the first hops. */
    static final int MAX_HOPS = 8;
    private static final long CAP = 1L << 40;

    private RetryAmplification() {
    }

    /**
     * @param attempts the most attempts any rule gives a call to each service, by {@link CallGraph} id
     */
    static void check(MeshState state, CallGraph graph, int[] attempts, List<Violation> errors, List<Warning> warnings) {
        Integer set = state.spec().maxRetryAmplification();
        int bound = set == null ? MeshSpec.DEFAULT_RETRY_AMPLIFICATION : set;
        String[] names = graph.names;
        int n = names.length;
        int[][] callees = graph.callees;
        // load[h][s]: worst calls to s per request entering a chain h+1 hops earlier; via[h][s]: the caller on it.
        long[][] load = new long[MAX_HOPS][n];
        int[][] via = new int[MAX_HOPS][n];
        for (int h = 0; h < MAX_HOPS; h++) {
            for (int caller = 0; caller < n; caller++) {
                long callerLoad = h == 0 ? 1 : load[h - 1][caller];
                if (callerLoad == 0) continue;
                for (int callee : callees[caller]) {
                    long l = Math.min(CAP, callerLoad * attempts[callee]);
                    if (l > load[h][callee]) {
                        load[h][callee] = l;
                        via[h][callee] = caller;
                    }
                }
            }
        }
        for (int s = 0; s < n; s++) {
            int worstHop = -1;
            long worst = 1;
            for (int h = 0; h < MAX_HOPS; h++) {
                if (load[h][s] > worst) {
                    worst = load[h][s];
                    worstHop = h;
                }
            }
            if (worst <= bound) continue;
            List<String> chain = new ArrayList<>();
            int at = s;
            chain.add(names[at]);
            for (int h = worstHop; h >= 0; h--) {
                at = via[h][at];
                chain.add(names[at]);
            }
            Collections.reverse(chain);
            String message = "one request to " + chain.getFirst() + " can become " + worst + " calls to " + names[s]
                    + " through retries along " + String.join(" -> ", chain) + " (bound " + bound + ")";
            if (set != null) errors.add(new Violation("mesh", "analysis.maxRetryAmplification", message));
            else warnings.add(new Warning("RETRY_AMPLIFICATION", message,
                    chain.stream().distinct().map(c -> "services/" + c).toList()));
        }
    }

    /** The most attempts any rule gives a call to the service. */
    static int attempts(SnapshotParts parts, String service) {
        int max = 1;
        for (RouteRule rule : parts.upstream(service).rules()) {
            if (rule.retry() != null) max = Math.max(max, rule.retry().attempts());
        }
        return max;
    }
}
