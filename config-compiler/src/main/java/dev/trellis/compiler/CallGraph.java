package dev.trellis.compiler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * Who calls whom, as declared: the scopes derived from ACCESS (under STRICT) or {@code dependsOn}.
 * A service whose scope is "every service" by default declared nothing, so it adds no edges: the
 * chains it would form are not calls anyone said happen. Services also get dense ids, in name
 * order, for the graph-wide passes.
 */
final class CallGraph {
    final String[] names;
    final Map<String, Integer> ids = new HashMap<>();
    /** Callees of each service, by id. */
    final int[][] callees;
    private final Map<String, List<String>> calleeNames = new HashMap<>();

    CallGraph(MeshState state, Map<String, SortedSet<String>> scopes) {
        names = state.services().keySet().toArray(String[]::new);
        for (int i = 0; i < names.length; i++) ids.put(names[i], i);
        callees = new int[names.length][];
        for (int i = 0; i < names.length; i++) {
            String caller = names[i];
            List<String> out = new ArrayList<>();
            if (!Scope.isEverything(caller, state)) {
                for (String callee : scopes.get(caller)) if (!callee.equals(caller)) out.add(callee);
            }
            calleeNames.put(caller, out);
            callees[i] = out.stream().mapToInt(ids::get).toArray();
        }
    }

    List<String> calleesOf(String service) {
        return calleeNames.getOrDefault(service, List.of());
    }
}
