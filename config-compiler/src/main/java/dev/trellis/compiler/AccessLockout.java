package dev.trellis.compiler;

import dev.trellis.compiler.policy.access.AccessSpec;
import dev.trellis.compiler.snapshot.MtlsMode;

import java.util.ArrayList;
import java.util.List;

/**
 * ACCESS policies that lock callers out: a service whose policies admit no service of the mesh,
 * a service that others route to or depend on but that admits nobody under STRICT, and a
 * {@code dependsOn} the callee's policies refuse.
 */
final class AccessLockout {
    private AccessLockout() {
    }

    static void check(MeshState state, MeshIndex index, List<Warning> warnings) {
        boolean strict = state.spec().mtls() == MtlsMode.STRICT;
        java.util.Set<String> dependedOn = new java.util.HashSet<>();
        for (ServiceSpec s : state.services().values()) if (s.dependsOn() != null) dependedOn.addAll(s.dependsOn());
        for (String service : state.services().keySet()) {
            List<AccessSpec> specs = index.accessOf(service);
            boolean hasPolicies = !specs.isEmpty();
            if ((hasPolicies || strict) && !admitsAnyone(state, index, service, specs)) {
                List<String> resources = new ArrayList<>();
                resources.add("services/" + service);
                for (String p : index.policiesOfService(service)) {
                    if ("ACCESS".equals(state.policies().get(p).kind())) resources.add("policies/" + p);
                }
                boolean wanted = !index.routesOf(service).isEmpty() || dependedOn.contains(service);
                if (hasPolicies || wanted) {
                    warnings.add(new Warning("ACCESS_LOCKOUT", (hasPolicies ? "the ACCESS policies of " + service
                            + " admit no service of the mesh" : service + " has no ACCESS policy, so under STRICT no service may call it")
                            + (wanted ? ", yet routes or dependsOn point at it" : ""), resources));
                }
            }
            dependsOnRefused(state, index, service, strict, warnings);
        }
    }

    private static boolean admitsAnyone(MeshState state, MeshIndex index, String service, List<AccessSpec> specs) {
        for (AccessSpec spec : specs) {
            for (AccessSpec.Entry allow : spec.allow()) {
                if (allow.fromService() != null) {
                    if (Scope.admits(index, service, allow.fromService())) return true;
                } else {
                    for (String caller : state.services().keySet()) if (Scope.admits(index, service, caller)) return true;
                }
            }
        }
        return false;
    }

    private static void dependsOnRefused(MeshState state, MeshIndex index, String caller, boolean strict, List<Warning> warnings) {
        ServiceSpec spec = state.services().get(caller);
        if (!strict || spec.dependsOn() == null) return;
        for (String callee : spec.dependsOn()) {
            if (state.services().containsKey(callee) && !Scope.admits(index, callee, caller)) {
                warnings.add(new Warning("ACCESS_LOCKOUT", caller + " depends on " + callee + " but the ACCESS policies of "
                        + callee + " do not admit it, so " + caller + " cannot call " + callee,
                        List.of("services/" + caller, "services/" + callee)));
            }
        }
    }
}
