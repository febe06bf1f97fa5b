package dev.trellis.compiler;

import dev.trellis.compiler.policy.access.AccessSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Lookups over one {@link MeshState}: what targets each service and route. The maps hold names
 * only (specs are looked up in the state), so a new state that changes no route's target, no
 * policy and no endpoint shares them. Never modified after construction.
 */
final class MeshIndex {
    final MeshState state;
    /** Route names per target service, in name order (the order their rules are tried). */
    final Map<String, List<String>> routesByService;
    /** Names of policies that target a whole service, in name order. */
    final Map<String, List<String>> servicePolicies;
    /** Names of policies that target one route, by route name, in name order. */
    final Map<String, List<String>> routePolicies;
    final Map<String, List<RegisteredEndpoint>> registered;
    /** ACCESS specs per target service. */
    final Map<String, List<AccessSpec>> access;
    /** Services whose ACCESS policies name a caller in {@code from}, by caller; and those with rules for any caller. */
    private final Map<String, Set<String>> accessNaming;
    private final Set<String> accessForAnyCaller;

    MeshIndex(MeshState state) {
        this.state = state;
        routesByService = new HashMap<>();
        servicePolicies = new HashMap<>();
        routePolicies = new HashMap<>();
        registered = new HashMap<>();
        access = new HashMap<>();
        accessNaming = new HashMap<>();
        accessForAnyCaller = new TreeSet<>();
        state.routes().forEach((name, route) -> add(routesByService, route.service(), name));
        state.policies().forEach((name, policy) -> {
            if (policy.target() == null || policy.target().service() == null) return;
            if (policy.target().route() == null) add(servicePolicies, policy.target().service(), name);
            else add(routePolicies, policy.target().route(), name);
            if (policy.spec() instanceof AccessSpec spec) {
                String callee = policy.target().service();
                add(access, callee, spec);
                for (String caller : spec.namedCallers()) accessNaming.computeIfAbsent(caller, k -> new TreeSet<>()).add(callee);
                if (spec.concernsEveryCaller()) accessForAnyCaller.add(callee);
            }
        });
        for (RegisteredEndpoint e : state.registeredEndpoints()) add(registered, e.service(), e);
    }

    /** The index of {@code state}, which has the same route names and targets, policies and endpoints as {@code same}'s. */
    MeshIndex(MeshState state, MeshIndex same) {
        this.state = state;
        routesByService = same.routesByService;
        servicePolicies = same.servicePolicies;
        routePolicies = same.routePolicies;
        registered = same.registered;
        access = same.access;
        accessNaming = same.accessNaming;
        accessForAnyCaller = same.accessForAnyCaller;
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
    Set<String> accessCandidates(String caller) {
        Set<String> result = new TreeSet<>(accessForAnyCaller);
        result.addAll(accessNaming.getOrDefault(caller, Set.of()));
        return result;
    }

    List<AccessSpec> accessOf(String service) {
        return access.getOrDefault(service, List.of());
    }
}
