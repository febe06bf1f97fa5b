package dev.trellis.compiler;

import dev.trellis.compiler.policy.access.AccessSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Lookups over one {@link MeshState}, built once per compile: what targets each service and route. */
final class MeshIndex {
    final MeshState state;
    /** Route names per target service, in name order (the order their rules are tried). */
    final Map<String, List<String>> routesByService = new HashMap<>();
    /** Names of policies that target a whole service, in name order. */
    final Map<String, List<String>> servicePolicies = new HashMap<>();
    /** Names of policies that target one route, by route name, in name order. */
    final Map<String, List<String>> routePolicies = new HashMap<>();
    final Map<String, List<RegisteredEndpoint>> registered = new HashMap<>();
    /** ACCESS specs per target service. */
    final Map<String, List<AccessSpec>> access = new HashMap<>();
    /** Services whose ACCESS policies name a caller in {@code from}, by caller; and those with rules for any caller. */
    private final Map<String, java.util.Set<String>> accessNaming = new HashMap<>();
    private final java.util.Set<String> accessForAnyCaller = new java.util.TreeSet<>();

    MeshIndex(MeshState state) {
        this.state = state;
        state.routes().forEach((name, route) -> add(routesByService, route.service(), name));
        state.policies().forEach((name, policy) -> {
            if (policy.target() == null || policy.target().service() == null) return;
            if (policy.target().route() == null) add(servicePolicies, policy.target().service(), name);
            else add(routePolicies, policy.target().route(), name);
            if (policy.spec() instanceof AccessSpec spec) {
                String callee = policy.target().service();
                add(access, callee, spec);
                for (String caller : spec.namedCallers()) {
                    accessNaming.computeIfAbsent(caller, k -> new java.util.TreeSet<>()).add(callee);
                }
                if (spec.concernsEveryCaller()) accessForAnyCaller.add(callee);
            }
        });
        for (RegisteredEndpoint e : state.registeredEndpoints()) add(registered, e.service(), e);
    }

    private static <T> void add(Map<String, List<T>> map, String key, T value) {
        map.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }

    List<String> routesOf(String service) {
        return routesByService.getOrDefault(service, List.of());
    }

    List<String> policiesOfService(String service) {
        return servicePolicies.getOrDefault(service, List.of());
    }

    List<String> policiesOfRoute(String route) {
        return routePolicies.getOrDefault(route, List.of());
    }

    /** Services whose ACCESS policies could admit this caller. */
    java.util.Set<String> accessCandidates(String caller) {
        java.util.Set<String> result = new java.util.TreeSet<>(accessForAnyCaller);
        result.addAll(accessNaming.getOrDefault(caller, java.util.Set.of()));
        return result;
    }

    List<AccessSpec> accessOf(String service) {
        return access.getOrDefault(service, List.of());
    }
}
