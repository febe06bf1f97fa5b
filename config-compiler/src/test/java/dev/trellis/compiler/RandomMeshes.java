package dev.trellis.compiler;

import dev.trellis.compiler.policy.access.AccessSpec;
import dev.trellis.compiler.policy.retry.RetrySpec;
import dev.trellis.compiler.policy.timeout.TimeoutSpec;
import dev.trellis.compiler.snapshot.MtlsMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/** Valid random meshes from a seed: services with versions, dependsOn, routes, ACCESS, RETRY and TIMEOUT policies, endpoints. */
final class RandomMeshes {
    private RandomMeshes() {
    }

    static MeshState of(long seed) {
        Random r = new Random(seed);
        int n = 2 + r.nextInt(7);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) names.add("s" + i);
        TreeMap<String, ServiceSpec> services = new TreeMap<>();
        for (String s : names) {
            List<ServiceSpec.Version> versions = r.nextBoolean() ? List.of() : List.of(new ServiceSpec.Version("v1"), new ServiceSpec.Version("v2"));
            List<String> dependsOn = r.nextInt(3) == 0 ? some(r, names) : null;
            services.put(s, new ServiceSpec("http", 8000 + r.nextInt(3), versions, null, List.of(), dependsOn));
        }
        TreeMap<String, RouteSpec> routes = new TreeMap<>();
        for (int i = 0; i < r.nextInt(2 * n); i++) {
            String target = names.get(r.nextInt(n));
            String backend = names.get(r.nextInt(n));
            String version = services.get(backend).versions().isEmpty() || r.nextBoolean() ? null : "v" + (1 + r.nextInt(2));
            RouteSpec.Match match = new RouteSpec.Match(null, "/p" + r.nextInt(3), null, List.of(), List.of(), List.of());
            routes.put("r" + i, new RouteSpec(target, List.of(new RouteSpec.Rule(match,
                    List.of(new RouteSpec.Backend(backend, version, 100)),
                    r.nextBoolean() ? new TimeoutSpec(100 + r.nextInt(2000)) : null, null, null, null, null))));
        }
        TreeMap<String, PolicySpec> policies = new TreeMap<>();
        for (String s : names) {
            if (r.nextBoolean()) {
                List<AccessSpec.Entry> allow = new ArrayList<>();
                for (String caller : some(r, names)) allow.add(new AccessSpec.Entry(caller, List.of(), List.of()));
                if (r.nextInt(5) == 0) allow.add(new AccessSpec.Entry(null, List.of("/public"), List.of()));
                policies.put("access-" + s, new PolicySpec("ACCESS", new PolicySpec.Target(s, null), new AccessSpec(allow, List.of())));
            }
            if (r.nextInt(3) == 0) {
                policies.put("retry-" + s, new PolicySpec("RETRY", new PolicySpec.Target(s, null),
                        new RetrySpec(1 + r.nextInt(3), 100, List.of("5xx"), 25, 250, 20)));
            }
        }
        List<RegisteredEndpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < r.nextInt(2 * n); i++) {
            String s = names.get(r.nextInt(n));
            String version = services.get(s).versions().isEmpty() ? null : "v" + (1 + r.nextInt(2));
            endpoints.add(new RegisteredEndpoint(s, version, "10.0.0." + i, 8080));
        }
        MtlsMode mode = MtlsMode.values()[r.nextInt(3)];
        return new MeshState("t", "m", MeshSpec.of(mode), services, routes, policies, endpoints);
    }

    private static List<String> some(Random r, List<String> names) {
        List<String> picked = new ArrayList<>();
        for (String s : names) if (r.nextInt(3) == 0) picked.add(s);
        return picked;
    }
}
