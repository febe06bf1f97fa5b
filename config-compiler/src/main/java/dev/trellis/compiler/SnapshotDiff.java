package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.Upstream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/** What changes for each proxy between two compile results: the dry-run answer of every write. */
public final class SnapshotDiff {
    private SnapshotDiff() {
    }

    /** Changes by service name order; services whose snapshot version is unchanged are not listed. */
    public static List<SnapshotChange> diff(Map<String, Snapshot> before, Map<String, Snapshot> after) {
        SortedSet<String> services = new TreeSet<>(before.keySet());
        services.addAll(after.keySet());
        List<SnapshotChange> changes = new ArrayList<>();
        for (String service : services) {
            Snapshot was = before.get(service);
            Snapshot is = after.get(service);
            if (was == null) {
                changes.add(new SnapshotChange(service, SnapshotChange.Kind.ADDED, null, is.version(), List.of("new service")));
            } else if (is == null) {
                changes.add(new SnapshotChange(service, SnapshotChange.Kind.REMOVED, was.version(), null, List.of("service removed")));
            } else if (!Objects.equals(was.version(), is.version())) {
                changes.add(new SnapshotChange(service, SnapshotChange.Kind.CHANGED, was.version(), is.version(), details(was, is)));
            }
        }
        return changes;
    }

    private static List<String> details(Snapshot was, Snapshot is) {
        List<String> details = new ArrayList<>();
        if (was.mtls() != is.mtls()) details.add("mtls: " + was.mtls() + " -> " + is.mtls());
        if (!Objects.equals(was.identity(), is.identity())) details.add("identity changed");
        if (!Objects.equals(was.inbound(), is.inbound())) details.add("inbound changed");
        compare("upstream", was.upstreams(), is.upstreams(), Upstream::service, SnapshotDiff::upstreamChange, details);
        compare("cluster", was.clusters(), is.clusters(), Cluster::name, SnapshotDiff::clusterChange, details);
        return details;
    }

    private static <T> void compare(String what, List<T> was, List<T> is, Function<T, String> key,
                                    java.util.function.BiFunction<T, T, String> change, List<String> out) {
        TreeMap<String, T> before = new TreeMap<>();
        was.forEach(t -> before.put(key.apply(t), t));
        TreeMap<String, T> after = new TreeMap<>();
        is.forEach(t -> after.put(key.apply(t), t));
        SortedSet<String> names = new TreeSet<>(before.keySet());
        names.addAll(after.keySet());
        for (String name : names) {
            T b = before.get(name);
            T a = after.get(name);
            if (b == null) out.add(what + " " + name + " added");
            else if (a == null) out.add(what + " " + name + " removed");
            else if (!b.equals(a)) out.add(what + " " + name + ": " + change.apply(b, a));
        }
    }

    private static String upstreamChange(Upstream b, Upstream a) {
        if (!b.rules().equals(a.rules())) return b.rules().size() == a.rules().size() ? "rules changed"
                : "rules changed (" + b.rules().size() + " -> " + a.rules().size() + ")";
        return "port or protocol changed";
    }

    private static String clusterChange(Cluster b, Cluster a) {
        List<String> parts = new ArrayList<>();
        if (!b.endpoints().equals(a.endpoints())) parts.add("endpoints " + b.endpoints().size() + " -> " + a.endpoints().size());
        if (b.loadBalancer() != a.loadBalancer()) parts.add("load balancer " + b.loadBalancer() + " -> " + a.loadBalancer());
        if (!Objects.equals(b.circuitBreaker(), a.circuitBreaker())) parts.add("circuit breaker changed");
        if (!Objects.equals(b.outlierDetection(), a.outlierDetection())) parts.add("outlier detection changed");
        return parts.isEmpty() ? "changed" : String.join(", ", parts);
    }
}
