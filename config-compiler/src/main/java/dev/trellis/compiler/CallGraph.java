package dev.trellis.compiler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * Who calls whom, as declared: the scopes derived from ACCESS (under STRICT) or {@code dependsOn}.
 * A service whose scope is "every service" by default declared nothing, so it adds no edges: the
 * chains it would form are not calls anyone said happen.
 */
final class CallGraph {
    final Map<String, List<String>> callees = new HashMap<>();
    final Map<String, List<String>> callers = new HashMap<>();

    CallGraph(MeshState state, Map<String, SortedSet<String>> scopes) {
        new java.util.TreeMap<>(scopes).forEach((caller, scope) -> {
            if (Scope.isEverything(caller, state)) return;
            for (String callee : scope) {
                if (callee.equals(caller)) continue;
                callees.computeIfAbsent(caller, k -> new ArrayList<>()).add(callee);
                callers.computeIfAbsent(callee, k -> new ArrayList<>()).add(caller);
            }
        });
    }

    List<String> calleesOf(String service) {
        return callees.getOrDefault(service, List.of());
    }

    List<String> callersOf(String service) {
        return callers.getOrDefault(service, List.of());
    }
}
