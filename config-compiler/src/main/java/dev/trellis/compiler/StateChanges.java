package dev.trellis.compiler;

import dev.trellis.compiler.policy.access.AccessSpec;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * What changed between two states of a mesh with the same services and mesh document.
 *
 * @param touched      services whose own compiled parts (inbound, upstream rules, clusters) may differ
 * @param scopeChanged services whose outbound scope may differ (their dependsOn, or ACCESS policies naming them)
 */
record StateChanges(Set<String> touched, Set<String> scopeChanged) {
    static StateChanges between(MeshState before, MeshState after) {
        Set<String> touched = new HashSet<>();
        Set<String> scopeChanged = new HashSet<>();
        eachChange(before.services(), after.services(), (name, b, a) -> {
            touched.add(name);
            scopeChanged.add(name);
        });
        eachChange(before.routes(), after.routes(), (name, b, a) -> {
            if (b != null) touched.add(b.service());
            if (a != null) touched.add(a.service());
        });
        eachChange(before.policies(), after.policies(), (name, b, a) -> {
            for (PolicySpec p : new PolicySpec[]{b, a}) {
                if (p == null) continue;
                touched.add(p.target().service());
                if (p.spec() instanceof AccessSpec access) {
                    if (access.concernsEveryCaller()) scopeChanged.addAll(after.services().keySet());
                    else scopeChanged.addAll(access.namedCallers());
                }
            }
        });
        Map<String, List<RegisteredEndpoint>> was = byService(before.registeredEndpoints());
        Map<String, List<RegisteredEndpoint>> is = byService(after.registeredEndpoints());
        Set<String> names = new TreeSet<>(was.keySet());
        names.addAll(is.keySet());
        for (String s : names) {
            if (!Objects.equals(was.get(s), is.get(s))) touched.add(s);
        }
        return new StateChanges(touched, scopeChanged);
    }

    /** Called for each name whose value differs; a missing side is null. */
    private interface Change<T> {
        void accept(String name, T before, T after);
    }

    private static <T> void eachChange(SortedMap<String, T> before, SortedMap<String, T> after, Change<T> changed) {
        for (Map.Entry<String, T> e : before.entrySet()) {
            T now = after.get(e.getKey());
            if (!Objects.equals(e.getValue(), now)) changed.accept(e.getKey(), e.getValue(), now);
        }
        for (Map.Entry<String, T> e : after.entrySet()) {
            if (!before.containsKey(e.getKey())) changed.accept(e.getKey(), null, e.getValue());
        }
    }

    private static Map<String, List<RegisteredEndpoint>> byService(List<RegisteredEndpoint> endpoints) {
        Map<String, List<RegisteredEndpoint>> map = new HashMap<>();
        for (RegisteredEndpoint e : endpoints) map.computeIfAbsent(e.service(), k -> new java.util.ArrayList<>()).add(e);
        return map;
    }
}
