package dev.trellis.compiler;

import dev.trellis.compiler.policy.PolicyBody;
import dev.trellis.compiler.policy.PolicyLevel;
import dev.trellis.compiler.policy.PolicySlots;
import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.Inbound;
import dev.trellis.compiler.snapshot.MtlsMode;
import dev.trellis.compiler.snapshot.SnapshotJson;
import dev.trellis.compiler.snapshot.Upstream;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The compiled pieces that depend on one service only (its inbound side, its upstream entry with
 * rules, its clusters), built once and shared by every snapshot that includes them. A new
 * compile reuses the previous pieces of every service not in its invalidated set.
 */
final class SnapshotParts {
    private final MeshIndex index;
    private final Map<String, PolicySlots> serviceSlots = new HashMap<>();
    private final Map<String, Upstream> upstreams;
    private final Map<String, Inbound> inbounds;
    /** Clusters by service, then by cluster name ({@code echo}, {@code echo/v1}). */
    private final Map<String, Map<String, Cluster>> clusters;
    /** Canonical JSON of each upstream and cluster: serialised once, spliced into every snapshot's hash. */
    private final Map<String, byte[]> upstreamJson;
    /** The clusters each upstream's rules send to (backends and mirrors), sorted. */
    private final Map<String, List<String>> upstreamClusters;
    private final Map<String, Map<String, byte[]>> clusterJson;

    SnapshotParts(MeshIndex index) {
        this.index = index;
        upstreams = new HashMap<>();
        inbounds = new HashMap<>();
        clusters = new HashMap<>();
        upstreamJson = new HashMap<>();
        upstreamClusters = new HashMap<>();
        clusterJson = new HashMap<>();
    }

    /** Parts for a new state, keeping those of every service not in {@code touched}. */
    SnapshotParts(MeshIndex index, SnapshotParts previous, Set<String> touched) {
        this.index = index;
        upstreams = without(previous.upstreams, touched);
        inbounds = without(previous.inbounds, touched);
        upstreamJson = without(previous.upstreamJson, touched);
        upstreamClusters = without(previous.upstreamClusters, touched);
        clusters = nestedWithout(previous.clusters, touched);
        clusterJson = nestedWithout(previous.clusterJson, touched);
    }

    /**
     * Inner maps (the clusters of one untouched service) stay shared with the previous compile: their
     * content is the same in both states. They are concurrent because a previous compile may be
     * recompiled from by two threads at once, each adding a cluster it newly needs.
     */
    private static <T> Map<String, Map<String, T>> nestedWithout(Map<String, Map<String, T>> previous, Set<String> touched) {
        return without(previous, touched);
    }

    private static <T> Map<String, T> without(Map<String, T> previous, Set<String> touched) {
        Map<String, T> kept = new HashMap<>(previous);
        kept.keySet().removeAll(touched);
        return kept;
    }

    private static String serviceOf(String clusterName) {
        int slash = clusterName.indexOf('/');
        return slash < 0 ? clusterName : clusterName.substring(0, slash);
    }

    /** Mesh defaults, then the service's own load balancer, then policies on the service. */
    PolicySlots serviceSlots(String service) {
        return serviceSlots.computeIfAbsent(service, s -> {
            MeshState state = index.state;
            PolicySlots slots = new PolicySlots(state::identityOf);
            for (PolicyBody d : state.spec().defaults().values()) d.applyTo(PolicyLevel.MESH, slots);
            ServiceSpec spec = state.services().get(s);
            if (spec != null && spec.loadBalancer() != null) spec.loadBalancer().applyTo(PolicyLevel.SERVICE, slots);
            for (String p : index.policiesOfService(s)) {
                PolicySpec policy = state.policies().get(p);
                if (!"ACCESS".equals(policy.kind())) policy.spec().applyTo(PolicyLevel.SERVICE, slots);
            }
            return slots;
        });
    }

    Upstream upstream(String service) {
        return upstreams.computeIfAbsent(service, s -> {
            ServiceSpec spec = index.state.services().get(s);
            return new Upstream(s, List.of(s, s + "." + index.state.mesh()), spec.protocol(), spec.port(),
                    RuleCompiler.rules(s, index, serviceSlots(s)));
        });
    }

    /** The cluster {@code service} or {@code service/version}. */
    Cluster cluster(String name) {
        return clusters.computeIfAbsent(serviceOf(name), s -> new ConcurrentHashMap<>()).computeIfAbsent(name, n -> {
            int slash = n.indexOf('/');
            String service = slash < 0 ? n : n.substring(0, slash);
            String version = slash < 0 ? null : n.substring(slash + 1);
            MeshState state = index.state;
            PolicySlots slots = serviceSlots(service);
            return new Cluster(n, service, version, state.identityOf(service), state.spec().mtls() != MtlsMode.DISABLED,
                    slots.loadBalancer == null ? Cluster.LoadBalancer.ROUND_ROBIN : slots.loadBalancer,
                    endpoints(service, version), slots.circuitBreaker, slots.outlierDetection);
        });
    }

    private List<Cluster.Endpoint> endpoints(String service, String version) {
        Set<Cluster.Endpoint> result = new LinkedHashSet<>();
        for (ServiceSpec.Endpoint e : index.state.services().get(service).endpoints()) {
            if (version == null || version.equals(e.version())) result.add(new Cluster.Endpoint(e.address(), e.port()));
        }
        for (RegisteredEndpoint e : index.registered.getOrDefault(service, List.of())) {
            if (version == null || version.equals(e.version())) result.add(new Cluster.Endpoint(e.address(), e.port()));
        }
        List<Cluster.Endpoint> sorted = new ArrayList<>(result);
        sorted.sort(Comparator.comparing(Cluster.Endpoint::address).thenComparingInt(Cluster.Endpoint::port));
        return sorted;
    }

    List<String> upstreamClusters(String service) {
        return upstreamClusters.computeIfAbsent(service, s -> {
            java.util.TreeSet<String> names = new java.util.TreeSet<>();
            for (var rule : upstream(s).rules()) {
                for (var b : rule.backends()) names.add(b.cluster());
                if (rule.mirror() != null) names.add(rule.mirror().cluster());
            }
            return List.copyOf(names);
        });
    }

    byte[] upstreamJson(String service) {
        return upstreamJson.computeIfAbsent(service, s -> SnapshotJson.writePart(upstream(s)));
    }

    byte[] clusterJson(String name) {
        return clusterJson.computeIfAbsent(serviceOf(name), s -> new ConcurrentHashMap<>())
                .computeIfAbsent(name, n -> SnapshotJson.writePart(cluster(n)));
    }

    Inbound inbound(String service) {
        return inbounds.computeIfAbsent(service, s -> {
            MeshState state = index.state;
            ServiceSpec spec = state.services().get(s);
            List<AccessControl.AccessRule> rules = new ArrayList<>();
            boolean allowList = false;
            for (String p : index.policiesOfService(s)) {
                PolicySpec policy = state.policies().get(p);
                if (!"ACCESS".equals(policy.kind())) continue;
                PolicySlots own = new PolicySlots(state::identityOf);
                policy.spec().applyTo(PolicyLevel.SERVICE, own);
                for (AccessControl.AccessRule r : own.accessRules) {
                    rules.add(new AccessControl.AccessRule(r.action(), r.identities(), r.paths(), r.methods(), p));
                    allowList |= r.action() == AccessControl.Action.ALLOW;
                }
            }
            // Under STRICT nothing is allowed unless a policy says so; elsewhere allow rules turn the list into an allow-list.
            boolean deny = state.spec().mtls() == MtlsMode.STRICT || allowList;
            PolicySlots slots = serviceSlots(s);
            return new Inbound(spec.protocol(), spec.port(),
                    new AccessControl(deny ? AccessControl.Action.DENY : AccessControl.Action.ALLOW, rules),
                    slots.inboundRateLimit, slots.inboundFault);
        });
    }
}
