package dev.trellis.compiler.bench;

import dev.trellis.compiler.MeshSpec;
import dev.trellis.compiler.MeshState;
import dev.trellis.compiler.PolicySpec;
import dev.trellis.compiler.RegisteredEndpoint;
import dev.trellis.compiler.RouteSpec;
import dev.trellis.compiler.ServiceSpec;
import dev.trellis.compiler.policy.access.AccessSpec;
import dev.trellis.compiler.policy.retry.RetrySpec;
import dev.trellis.compiler.policy.timeout.TimeoutSpec;
import dev.trellis.compiler.snapshot.MtlsMode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * The benchmark tenant: a STRICT mesh of {@code services} services (two versions, four registered
 * endpoints each), {@code routes} routes (canary splits with timeouts and retries), where each
 * service may call 5–10 others through ACCESS policies. Fixed seed: the same mesh every run.
 */
public final class LargeMesh {
    private LargeMesh() {
    }

    public static MeshState of(int serviceCount, int routeCount) {
        Random random = new Random(42);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < serviceCount; i++) names.add("svc-" + i);
        TreeMap<String, ServiceSpec> services = new TreeMap<>();
        List<RegisteredEndpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < serviceCount; i++) {
            String name = names.get(i);
            services.put(name, new ServiceSpec("http", 8080, List.of(new ServiceSpec.Version("v1"), new ServiceSpec.Version("v2")),
                    null, List.of(), null));
            for (int e = 0; e < 4; e++) {
                endpoints.add(new RegisteredEndpoint(name, e % 2 == 0 ? "v1" : "v2", "10." + (i / 250) + "." + (i % 250) + "." + e, 8080));
            }
        }
        Map<String, List<AccessSpec.Entry>> allowed = new TreeMap<>();
        for (String caller : names) {
            Set<String> callees = new LinkedHashSet<>();
            int k = 5 + random.nextInt(6);
            while (callees.size() < k) {
                String callee = names.get(random.nextInt(serviceCount));
                if (!callee.equals(caller)) callees.add(callee);
            }
            for (String callee : callees) {
                allowed.computeIfAbsent(callee, c -> new ArrayList<>())
                        .add(new AccessSpec.Entry(caller, List.of(), random.nextBoolean() ? List.of() : List.of("GET", "POST")));
            }
        }
        TreeMap<String, PolicySpec> policies = new TreeMap<>();
        allowed.forEach((callee, entries) -> policies.put("access-" + callee,
                new PolicySpec("ACCESS", new PolicySpec.Target(callee, null), new AccessSpec(entries, List.of()))));
        for (int i = 0; i < serviceCount; i += 4) {
            policies.put("timeout-" + names.get(i), new PolicySpec("TIMEOUT", new PolicySpec.Target(names.get(i), null), new TimeoutSpec(5_000)));
        }
        TreeMap<String, RouteSpec> routes = new TreeMap<>();
        for (int r = 0; r < routeCount; r++) routes.put("route-" + r, route(names.get(r % serviceCount), r, 90));
        return new MeshState("bench", "big", MeshSpec.of(MtlsMode.STRICT), services, routes, policies, endpoints);
    }

    /** Route number {@code r} for {@code service}: one canary rule (v1 gets {@code v1Weight}) and one fallback rule. */
    public static RouteSpec route(String service, int r, int v1Weight) {
        RouteSpec.Match canary = new RouteSpec.Match(null, "/api/" + r, null, List.of("GET"),
                List.of(new RouteSpec.Condition("x-canary", "1", null, null, null)), List.of());
        RouteSpec.Match plain = new RouteSpec.Match(null, "/api/" + r, null, List.of(), List.of(), List.of());
        return new RouteSpec(service, List.of(
                new RouteSpec.Rule(canary, List.of(new RouteSpec.Backend(service, "v1", v1Weight),
                        new RouteSpec.Backend(service, "v2", 100 - v1Weight)), new TimeoutSpec(2_000),
                        new RetrySpec(2, 500, List.of("5xx", "reset"), 25, 250, 20), null, null, null),
                new RouteSpec.Rule(plain, List.of(new RouteSpec.Backend(service, "v1", 100)), null, null, null, null, null)));
    }

    /** The same mesh with route {@code route-<r>} changed (its canary weight), as a typical edit. */
    public static MeshState withRouteChanged(MeshState state, int r, int v1Weight) {
        TreeMap<String, RouteSpec> routes = new TreeMap<>(state.routes());
        String name = "route-" + r;
        routes.put(name, route(state.routes().get(name).service(), r, v1Weight));
        return new MeshState(state.tenant(), state.mesh(), state.spec(), state.services(), routes, state.policies(),
                state.registeredEndpoints());
    }
}
