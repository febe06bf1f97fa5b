package dev.trellis.compiler;

import dev.trellis.compiler.policy.PolicyKinds;
import dev.trellis.compiler.policy.access.AccessSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks what no single document can: that every reference names an existing service, version
 * or route, and that no two policies of a kind that does not add up target the same thing.
 */
final class CrossValidation {
    private final MeshState state;
    private final List<Violation> errors = new ArrayList<>();

    private CrossValidation(MeshState state) {
        this.state = state;
    }

    static List<Violation> check(MeshState state) {
        CrossValidation v = new CrossValidation(state);
        state.services().forEach(v::service);
        state.routes().forEach(v::route);
        v.policies();
        return v.errors;
    }

    /**
     * The same answer as {@link #check(MeshState)} for a state that differs from an error-free one
     * by {@code changes}: with every service unchanged only the changed routes, and the policies
     * when a policy or a route's target changed, can hold new errors.
     */
    static List<Violation> check(MeshState state, StateChanges changes) {
        if (!changes.sameServices()) return check(state);
        CrossValidation v = new CrossValidation(state);
        for (String name : new java.util.TreeSet<>(changes.routes())) {
            RouteSpec route = state.routes().get(name);
            if (route != null) v.route(name, route);
        }
        if (!changes.sameIndex()) v.policies();
        return v.errors;
    }

    private void service(String name, ServiceSpec spec) {
        if (spec.dependsOn() == null) return;
        for (int i = 0; i < spec.dependsOn().size(); i++) {
            if (!state.services().containsKey(spec.dependsOn().get(i))) {
                errors.add(new Violation("services/" + name, "dependsOn[" + i + "]", "names no service of this mesh"));
            }
        }
    }

    private void route(String name, RouteSpec route) {
        String resource = "routes/" + name;
        ServiceSpec target = state.services().get(route.service());
        if (target == null) {
            errors.add(new Violation(resource, "service", "names no service of this mesh"));
        } else {
            TcpSemantics.route(resource, route, target, state.services(), errors);
            GrpcConditions.route(resource, route, target, errors);
        }
        for (int r = 0; r < route.rules().size(); r++) {
            RouteSpec.Rule rule = route.rules().get(r);
            for (int b = 0; b < rule.backends().size(); b++) {
                RouteSpec.Backend backend = rule.backends().get(b);
                reference(resource, r, b, backend.service(), backend.version());
            }
            if (rule.mirror() != null) reference(resource, r, -1, rule.mirror().service(), rule.mirror().version());
        }
    }

    /** A backend ({@code backend >= 0}) or the mirror of rule {@code rule}; the path is built only for an error. */
    private void reference(String resource, int rule, int backend, String service, String version) {
        ServiceSpec target = state.services().get(service);
        if (target != null && (version == null || target.hasVersion(version))) return;
        String path = "rules[" + rule + "]." + (backend >= 0 ? "backends[" + backend + "]" : "mirror");
        if (target == null) {
            errors.add(new Violation(resource, path + ".service", "names no service of this mesh"));
        } else if (version != null && !target.hasVersion(version)) {
            errors.add(new Violation(resource, path + ".version", "names no version of service " + service));
        }
    }

    private void policies() {
        Map<String, String> firstByTarget = new HashMap<>();
        state.policies().forEach((name, policy) -> {
            String resource = "policies/" + name;
            PolicySpec.Target target = policy.target();
            if (!state.services().containsKey(target.service())) {
                errors.add(new Violation(resource, "target.service", "names no service of this mesh"));
            }
            if (target.route() != null) {
                RouteSpec route = state.routes().get(target.route());
                if (route == null) errors.add(new Violation(resource, "target.route", "names no route of this mesh"));
                else if (!route.service().equals(target.service())) {
                    errors.add(new Violation(resource, "target.route", "is a route of service " + route.service()
                            + ", not of " + target.service()));
                }
            }
            if (policy.spec() instanceof AccessSpec access) accessCallers(resource, access);
            ServiceSpec service = state.services().get(target.service());
            if (service != null && service.tcp()) TcpSemantics.policy(resource, policy, errors);
            if (service != null) GrpcConditions.policy(resource, policy, service, errors);
            boolean combines = PolicyKinds.named(policy.kind()).map(k -> k.combines()).orElse(false);
            if (!combines) {
                String key = policy.kind() + " " + target.service() + " " + target.route();
                String first = firstByTarget.putIfAbsent(key, name);
                if (first != null) {
                    errors.add(new Violation(resource, "target", "conflicts with policies/" + first
                            + ": both are " + policy.kind() + " policies on the same target"));
                }
            }
        });
    }

    private void accessCallers(String resource, AccessSpec access) {
        check(resource, "spec.allow", access.allow());
        check(resource, "spec.deny", access.deny());
    }

    private void check(String resource, String path, List<AccessSpec.Entry> entries) {
        for (int i = 0; i < entries.size(); i++) {
            String from = entries.get(i).fromService();
            if (from != null && !state.services().containsKey(from)) {
                errors.add(new Violation(resource, path + "[" + i + "].from.service", "names no service of this mesh"));
            }
        }
    }
}
