package dev.trellis.compiler;

import dev.trellis.compiler.policy.access.AccessSpec;
import dev.trellis.compiler.snapshot.MtlsMode;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which services a service may call, i.e. what its snapshot's outbound side holds
 * (docs/snapshot-format.md, "Scope"): under STRICT exactly what ACCESS policies admit; {@code dependsOn} narrows
 * in any mode; otherwise every service of the mesh.
 */
final class Scope {
    private Scope() {
    }

    static SortedSet<String> of(String caller, MeshIndex index) {
        MeshState state = index.state;
        ServiceSpec spec = state.services().get(caller);
        boolean strict = state.spec().mtls() == MtlsMode.STRICT;
        SortedSet<String> scope = new TreeSet<>();
        if (spec != null && spec.dependsOn() != null) {
            for (String callee : spec.dependsOn()) {
                if (state.services().containsKey(callee) && (!strict || admits(index, callee, caller))) scope.add(callee);
            }
            return scope;
        }
        if (!strict) {
            scope.addAll(state.services().keySet());
            return scope;
        }
        for (String callee : index.accessCandidates(caller)) {
            if (state.services().containsKey(callee) && admits(index, callee, caller)) scope.add(callee);
        }
        return scope;
    }

    /** Whether a caller has any way in through the callee's ACCESS policies, taken together: an unrestricted deny wins. */
    static boolean admits(MeshIndex index, String callee, String caller) {
        List<AccessSpec> specs = index.accessOf(callee);
        for (AccessSpec s : specs) {
            if (s.deniesEverything(caller)) return false;
        }
        return specs.stream().anyMatch(s -> s.admits(caller));
    }

    /** Whether a caller's scope is every service, so adding or removing any service changes it. */
    static boolean isEverything(String caller, MeshState state) {
        ServiceSpec spec = state.services().get(caller);
        return state.spec().mtls() != MtlsMode.STRICT && (spec == null || spec.dependsOn() == null);
    }
}
