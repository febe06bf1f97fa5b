package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.RequestPath;
import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.Upstream;
import dev.trellis.compiler.snapshot.WeightedCluster;

import java.util.ArrayList;
import java.util.List;

/**
 * Answers which rule, backends, weights and policies a request gets, by evaluating the source's
 * compiled snapshot the way its proxy would, then the destination's access rules.
 */
public final class Simulator {
    private Simulator() {
    }

    /** Simulates one request (method defaults to GET, path to /); compiles only what the source's snapshot needs. */
    public static SimulationResult simulate(MeshState state, SimulatedRequest asked) {
        String path;
        try {
            // Proxies route and check access on the normal form of the path (with their default rule for %2F).
            path = RequestPath.normalise(asked.path() == null ? "" : asked.path(), RequestPath.EscapedSlashes.REJECT);
        } catch (RequestPath.Rejected e) {
            return none("the proxy refuses this path with 400: " + e.getMessage());
        }
        SimulatedRequest request = new SimulatedRequest(asked.source(), asked.host(),
                asked.method() == null ? "GET" : asked.method(), path, asked.headers(), asked.query());
        if (!state.services().containsKey(request.source())) {
            return none("source " + request.source() + " is not a service of this mesh");
        }
        List<Violation> errors = CrossValidation.check(state);
        if (!errors.isEmpty()) {
            Violation first = errors.getFirst();
            return none("the mesh does not compile (" + errors.size() + " errors, first: " + first.resource() + " "
                    + first.field() + ": " + first.message() + ")");
        }
        MeshIndex index = new MeshIndex(state);
        SnapshotParts parts = new SnapshotParts(index);
        String host = request.host() == null ? "" : request.host().replaceFirst(":\\d+$", "");
        Upstream upstream = null;
        for (String callee : Scope.of(request.source(), index)) {
            if (parts.upstream(callee).hosts().contains(host)) upstream = parts.upstream(callee);
        }
        if (upstream == null) {
            return none(state.services().containsKey(host.replaceFirst("\\." + state.mesh() + "$", ""))
                    ? request.source() + " may not call " + host + ": it is outside its scope (ACCESS under STRICT, or dependsOn)"
                    : host + " names no service of this mesh");
        }
        RouteRule rule = upstream.rules().stream().filter(r -> RequestMatcher.matches(r.match(), request)).findFirst()
                .orElseThrow();
        int total = rule.backends().stream().mapToInt(WeightedCluster::weight).sum();
        List<SimulationResult.Backend> backends = new ArrayList<>();
        for (WeightedCluster b : rule.backends()) {
            Cluster cluster = parts.cluster(b.cluster());
            backends.add(new SimulationResult.Backend(b.cluster(), b.weight(), total == 0 ? 0 : 100.0 * b.weight() / total,
                    cluster.endpoints()));
        }
        var inbound = parts.inbound(upstream.service());
        var access = RequestMatcher.access(inbound.access(), state.identityOf(request.source()), request);
        List<String> notes = new ArrayList<>();
        if (backends.stream().anyMatch(b -> b.endpoints().isEmpty() && b.weight() > 0)) {
            notes.add("a backend has no endpoints: requests sent to it fail with 503");
        }
        return new SimulationResult(upstream.service(), rule, backends, access, inbound, notes);
    }

    private static SimulationResult none(String note) {
        return new SimulationResult(null, null, List.of(), null, null, List.of(note));
    }
}
