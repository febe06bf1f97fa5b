package dev.trellis.compiler;

import dev.trellis.compiler.policy.access.AccessSpec;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
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
 * @param sameIndex    whether route names and targets, policies and endpoints are unchanged, so the
 *                     {@link MeshIndex} of the previous state still holds
 * @param sameServices whether every service document is unchanged
 * @param routes       names of the routes added, changed or removed
 */
record StateChanges(Set<String> touched, Set<String> scopeChanged, boolean sameIndex, boolean sameServices,
                    Set<String> routes) {
    static StateChanges between(MeshState before, MeshState after) {
        Set<String> touched = new HashSet<>();
        Set<String> scopeChanged = new HashSet<>();
        Set<String> routes = new HashSet<>();
        boolean[] sameIndex = {true};
        eachChange(before.services(), after.services(), (name, b, a) -> {
            touched.add(name);
            scopeChanged.add(name);
        });
        boolean sameServices = touched.isEmpty();
        eachChange(before.routes(), after.routes(), (name, b, a) -> {
            routes.add(name);
            if (b == null || a == null || !b.service().equals(a.service())) sameIndex[0] = false;
            if (b != null) touched.add(b.service());
            if (a != null) touched.add(a.service());
        });
        eachChange(before.policies(), after.policies(), (name, b, a) -> {
            sameIndex[0] = false;
            for (PolicySpec p : new PolicySpec[]{b, a}) {
                if (p == null) continue;
                touched.add(p.target().service());
                if (p.spec() instanceof AccessSpec access) {
                    if (access.concernsEveryCaller()) scopeChanged.addAll(after.services().keySet());
                    else scopeChanged.addAll(access.namedCallers());
                }
            }
        });
        if (before.registeredEndpoints().equals(after.registeredEndpoints())) {
            return new StateChanges(touched, scopeChanged, sameIndex[0], sameServices, routes);
        }
        Map<String, List<RegisteredEndpoint>> was = byService(before.registeredEndpoints());
        Map<String, List<RegisteredEndpoint>> is = byService(after.registeredEndpoints());
        Set<String> names = new TreeSet<>(was.keySet());
        names.addAll(is.keySet());
        for (String s : names) {
            if (!Objects.equals(was.get(s), is.get(s))) touched.add(s);
        }
        return new StateChanges(touched, scopeChanged, false, sameServices, routes);
    }

    /** Called for each name whose value differs; a missing side is null. */
    private interface Change<T> {
        void accept(String name, T before, T after);
    }

    /**
     * Walks both sorted maps in step: linear, and unchanged values are usually the same instance.
     * Keys and values are iterated side by side (same order) to avoid wrapping every entry.
     */
    private static <T> void eachChange(SortedMap<String, T> before, SortedMap<String, T> after, Change<T> changed) {
        if (before == after) return;
        Iterator<String> bk = before.keySet().iterator();
        Iterator<T> bv = before.values().iterator();
        Iterator<String> ak = after.keySet().iterator();
        Iterator<T> av = after.values().iterator();
        String kb = bk.hasNext() ? bk.next() : null;
        T vb = kb == null ? null : bv.next();
        String ka = ak.hasNext() ? ak.next() : null;
        T va = ka == null ? null : av.next();
        while (kb != null || ka != null) {
            int order = kb == null ? 1 : ka == null ? -1 : kb.compareTo(ka);
            if (order <= 0) {
                if (order < 0) changed.accept(kb, vb, null);
                else if (vb != va && !Objects.equals(vb, va)) changed.accept(kb, vb, va);
                kb = bk.hasNext() ? bk.next() : null;
                vb = kb == null ? null : bv.next();
            }
            if (order >= 0) {
                if (order > 0) changed.accept(ka, null, va);
                ka = ak.hasNext() ? ak.next() : null;
                va = ka == null ? null : av.next();
            }
        }
    }

    private static Map<String, List<RegisteredEndpoint>> byService(List<RegisteredEndpoint> endpoints) {
        Map<String, List<RegisteredEndpoint>> map = new HashMap<>();
        for (RegisteredEndpoint e : endpoints) map.computeIfAbsent(e.service(), k -> new java.util.ArrayList<>()).add(e);
        return map;
    }
}
