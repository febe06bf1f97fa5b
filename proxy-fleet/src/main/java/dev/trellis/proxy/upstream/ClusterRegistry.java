package dev.trellis.proxy.upstream;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.trellis.compiler.snapshot.Cluster;

/**
 * The clusters of the applied snapshot. A new snapshot keeps the runtime (breaker, learnt latency,
 * ejections) of every cluster it leaves unchanged, and the endpoint state of endpoints it still lists.
 */
public final class ClusterRegistry {
    private Map<String, ClusterRuntime> current = Map.of();

    /** Runtimes for the given clusters, reusing what the previous snapshot had learnt. */
    public synchronized Map<String, ClusterRuntime> update(List<Cluster> clusters) {
        Map<String, ClusterRuntime> next = new HashMap<>();
        for (Cluster cluster : clusters) {
            ClusterRuntime old = current.get(cluster.name());
            if (old != null && old.cluster().equals(cluster)) {
                next.put(cluster.name(), old);
                continue;
            }
            Map<Cluster.Endpoint, EndpointState> known = new HashMap<>();
            if (old != null && old.cluster().mtls() == cluster.mtls()) {
                old.endpoints().forEach(e -> known.put(e.endpoint, e));
            }
            next.put(cluster.name(), new ClusterRuntime(cluster, known));
        }
        current = Map.copyOf(next);
        return current;
    }
}
