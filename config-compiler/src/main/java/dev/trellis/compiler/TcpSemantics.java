package dev.trellis.compiler;

import dev.trellis.compiler.policy.access.AccessSpec;
import dev.trellis.compiler.snapshot.RouteRule;

import java.util.List;
import java.util.Map;

/**
 * What {@code protocol: "tcp"} means to the compiler. A tcp service's connections are opaque byte
 * streams: there is no path, method, header or query to match, no answer to retry on, time, rate or
 * fake. So a route of a tcp service has one rule with no match, only weighted {@code backends} (a
 * connection's share), and those backends are tcp services; a tcp service takes {@code ACCESS} rules
 * by caller identity only ({@code from}), {@code CIRCUIT_BREAKER} (connects count as calls, its
 * concurrency limit caps open connections), {@code OUTLIER_DETECTION} (failed connects) and
 * {@code LOAD_BALANCER}; the other kinds are refused with the reason. Mesh defaults that act on
 * requests (timeout, retry) are left out of its snapshot rules.
 */
final class TcpSemantics {
    private static final Map<String, String> REQUEST_KINDS = Map.of(
            "RETRY", "bytes already sent cannot be replayed; a failed connect is tried on another endpoint by itself",
            "TIMEOUT", "a connection has no answer to wait for; the proxy's connect and idle timeouts apply",
            "RATE_LIMIT", "it counts requests, and a connection carries an unknown number of them",
            "FAULT_INJECTION", "it delays or aborts requests, which a byte stream does not have");

    private TcpSemantics() {
    }

    /** Checks a route whose target service exists: the rules of a tcp route, and backends of the target's kind. */
    static void route(String resource, RouteSpec route, ServiceSpec target, Map<String, ServiceSpec> services,
                      List<Violation> errors) {
        for (int r = 0; r < route.rules().size(); r++) {
            RouteSpec.Rule rule = route.rules().get(r);
            String at = "rules[" + r + "]";
            if (target.tcp()) {
                if (r > 0) errors.add(new Violation(resource, at, "a route of a tcp service has one rule: "
                        + "connections carry nothing that could choose between rules"));
                if (!rule.match().equals(RouteSpec.Match.any())) {
                    errors.add(new Violation(resource, at + ".match", "a tcp service's connections have no path, method, "
                            + "header or query to match"));
                }
                notForTcp(resource, at + ".timeout", rule.timeout(), errors);
                notForTcp(resource, at + ".retry", rule.retry(), errors);
                notForTcp(resource, at + ".fault", rule.fault(), errors);
                notForTcp(resource, at + ".headers", rule.headers(), errors);
                notForTcp(resource, at + ".mirror", rule.mirror(), errors);
            }
            for (int b = 0; b < rule.backends().size(); b++) {
                ServiceSpec backend = services.get(rule.backends().get(b).service());
                if (backend == null || backend.tcp() == target.tcp()) continue;
                errors.add(new Violation(resource, at + ".backends[" + b + "].service", target.tcp()
                        ? "is not a tcp service; a route of tcp service " + route.service() + " sends connections to tcp services only"
                        : "is a tcp service; requests of " + route.service() + " (" + target.protocol() + ") cannot go to it"));
            }
            ServiceSpec mirrored = rule.mirror() == null ? null : services.get(rule.mirror().service());
            if (!target.tcp() && mirrored != null && mirrored.tcp()) {
                errors.add(new Violation(resource, at + ".mirror.service", "is a tcp service; requests cannot be mirrored to it"));
            }
        }
    }

    private static void notForTcp(String resource, String path, Object value, List<Violation> errors) {
        if (value != null) errors.add(new Violation(resource, path, "does not apply to a tcp service's connections"));
    }

    /** Checks a policy whose target service is a tcp service. */
    static void policy(String resource, PolicySpec policy, List<Violation> errors) {
        String why = REQUEST_KINDS.get(policy.kind());
        if (why != null) {
            errors.add(new Violation(resource, "kind", policy.kind() + " does not apply to a tcp service: " + why));
        }
        if (policy.spec() instanceof AccessSpec access) {
            entries(resource, "spec.allow", access.allow(), errors);
            entries(resource, "spec.deny", access.deny(), errors);
        }
    }

    private static void entries(String resource, String path, List<AccessSpec.Entry> entries, List<Violation> errors) {
        for (int i = 0; i < entries.size(); i++) {
            AccessSpec.Entry e = entries.get(i);
            String at = path + "[" + i + "]";
            if (!e.paths().isEmpty()) errors.add(new Violation(resource, at + ".paths", "a tcp service's connections have no path; only from applies"));
            if (!e.exactPaths().isEmpty()) errors.add(new Violation(resource, at + ".exactPaths", "a tcp service's connections have no path; only from applies"));
            if (!e.methods().isEmpty()) errors.add(new Violation(resource, at + ".methods", "a tcp service's connections have no method; only from applies"));
        }
    }

    /** The rules of a tcp upstream: where connections go, without what acts on requests (mesh defaults included). */
    static List<RouteRule> connectionRules(List<RouteRule> rules) {
        return rules.stream()
                .map(r -> new RouteRule(r.id(), r.match(), r.backends(), 0, null, null, null, null, null))
                .toList();
    }
}
