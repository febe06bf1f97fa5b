package dev.trellis.proxy;

import java.util.Arrays;
import java.util.List;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.compiler.snapshot.CircuitBreaker;
import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.Inbound;
import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.MtlsMode;
import dev.trellis.compiler.snapshot.OutlierDetection;
import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.Upstream;
import dev.trellis.compiler.snapshot.WeightedCluster;

/** Small builders for the snapshots tests feed the proxy. */
final class Snapshots {
    static final String MESH = "shop";

    private Snapshots() {
    }

    static Snapshot snapshot(Inbound inbound, List<Upstream> upstreams, List<Cluster> clusters) {
        return new Snapshot(null, "tenant-1", MESH, "web", "spiffe://tenant-1/ns/shop/sa/web", MtlsMode.DISABLED,
                inbound, upstreams, clusters);
    }

    static Snapshot snapshot(List<Upstream> upstreams, List<Cluster> clusters) {
        return snapshot(openInbound(), upstreams, clusters);
    }

    static Inbound openInbound() {
        return new Inbound("http", 8080, new AccessControl(AccessControl.Action.ALLOW, List.of()), null, null);
    }

    static Upstream upstream(String service, RouteRule... rules) {
        return new Upstream(service, List.of(service, service + "." + MESH), "http", 8080, List.of(rules));
    }

    static Cluster cluster(String name, Cluster.LoadBalancer lb, CircuitBreaker breaker, OutlierDetection outlier,
                           TestBackend... backends) {
        List<Cluster.Endpoint> endpoints = Arrays.stream(backends).map(b -> new Cluster.Endpoint("127.0.0.1", b.port())).toList();
        String service = name.contains("/") ? name.substring(0, name.indexOf('/')) : name;
        return new Cluster(name, service, null, "spiffe://tenant-1/ns/shop/sa/" + service, false, lb, endpoints, breaker, outlier);
    }

    /** A round-robin cluster of one endpoint on 127.0.0.1 at {@code port}. */
    static Cluster cluster(String name, int port) {
        String service = name.contains("/") ? name.substring(0, name.indexOf('/')) : name;
        return new Cluster(name, service, null, "spiffe://tenant-1/ns/shop/sa/" + service, false, Cluster.LoadBalancer.ROUND_ROBIN,
                List.of(new Cluster.Endpoint("127.0.0.1", port)), null, null);
    }

    static Cluster cluster(String name, TestBackend... backends) {
        return cluster(name, Cluster.LoadBalancer.ROUND_ROBIN, null, null, backends);
    }

    /** A rule to the given clusters with equal weights and no policies. */
    static RouteRule rule(String id, Match match, String... clusters) {
        List<WeightedCluster> backends = Arrays.stream(clusters).map(c -> new WeightedCluster(c, 1)).toList();
        return new RouteRule(id, match, backends, 0, null, null, null, null, null);
    }

    static Match prefix(String prefix) {
        return new Match(null, prefix, null, List.of(), List.of(), List.of());
    }
}
