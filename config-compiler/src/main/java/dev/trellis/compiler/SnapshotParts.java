package dev.trellis.compiler;

import dev.trellis.compiler.policy.PolicyBody;
import dev.trellis.compiler.policy.PolicyLevel;
import dev.trellis.compiler.policy.PolicySlots;
import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.EndpointAddress;
import dev.trellis.compiler.snapshot.Inbound;
import dev.trellis.compiler.snapshot.MtlsMode;
import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.SnapshotJson;
import dev.trellis.compiler.snapshot.Upstream;
import dev.trellis.compiler.snapshot.WeightedCluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The compiled pieces that depend on one service only (its inbound side, its upstream entry with
 * rules, its clusters), built once and shared by every snapshot that includes them. A new
 * compile reuses the previous pieces of every service not in its invalidated set.
 */
final class SnapshotParts {
    private final MeshIndex index;
    private final Map<String, PolicySlots> serviceSlots = new HashMap<>();
    private final Map<String, UpstreamPart> upstreams;
    private final Map<String, Inbound> inbounds;
    /** Clusters by name ({@code echo}, {@code echo/v1}). */
    private final Map<String, ClusterPart> clusters;

    /**
     * A service's upstream entry, its canonical JSON (serialised once, spliced into the hash of
     * every snapshot that holds it) and the clusters its rules send to, sorted.
     */
    record UpstreamPart(Upstream upstream, byte[] json, List<String> clusters) {
    }

    /** A cluster and its canonical JSON. */
    record ClusterPart(Cluster cluster, byte[] json) {
    }

    SnapshotParts(MeshIndex index) {
        this.index = index;
        upstreams = new HashMap<>();
        inbounds = new HashMap<>();
        clusters = new HashMap<>();
    }

    /**
     * Parts for a new state, keeping those of every service not in {@code touched}. The maps are
     * copied, never shared, so a previous compile stays safe to read (or recompile from) in
     * another thread.
     */
    SnapshotParts(MeshIndex index, SnapshotParts previous, Set<String> touched) {
        this.index = index;
        upstreams = new HashMap<>(previous.upstreams);
        upstreams.keySet().removeAll(touched);
        inbounds = new HashMap<>(previous.inbounds);
        inbounds.keySet().removeAll(touched);
        clusters = new HashMap<>(previous.clusters);
        clusters.values().removeIf(c -> touched.contains(c.cluster().service()));
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
        return upstreamPart(service).upstream();
    }

    UpstreamPart upstreamPart(String service) {
        UpstreamPart part = upstreams.get(service);
        if (part == null) {
            ServiceSpec spec = index.state.services().get(service);
            List<RouteRule> rules = RuleCompiler.rules(service, index, serviceSlots(service));
            if (spec.tcp()) rules = TcpSemantics.connectionRules(rules);
            Upstream upstream = new Upstream(service, List.of(service, service + "." + index.state.mesh()), spec.protocol(),
                    spec.port(), rules);
            TreeSet<String> names = new TreeSet<>();
            for (RouteRule rule : upstream.rules()) {
                for (WeightedCluster b : rule.backends()) names.add(b.cluster());
                if (rule.mirror() != null) names.add(rule.mirror().cluster());
            }
            part = new UpstreamPart(upstream, SnapshotJson.writePart(upstream), List.copyOf(names));
            upstreams.put(service, part);
        }
        return part;
    }

    /** The cluster {@code service} or {@code service/version}. */
    Cluster cluster(String name) {
        return clusterPart(name).cluster();
    }

    ClusterPart clusterPart(String name) {
        ClusterPart part = clusters.get(name);
        if (part == null) {
            Cluster cluster = newCluster(name);
            part = new ClusterPart(cluster, SnapshotJson.writePart(cluster));
            clusters.put(name, part);
        }
        return part;
    }

    private Cluster newCluster(String name) {
        int slash = name.indexOf('/');
        String service = slash < 0 ? name : name.substring(0, slash);
        String version = slash < 0 ? null : name.substring(slash + 1);
        MeshState state = index.state;
        PolicySlots slots = serviceSlots(service);
        return new Cluster(name, service, version, state.identityOf(service), state.spec().mtls() != MtlsMode.DISABLED,
                slots.loadBalancer == null ? Cluster.LoadBalancer.ROUND_ROBIN : slots.loadBalancer,
                endpoints(service, version), slots.circuitBreaker, slots.outlierDetection);
    }

    private List<Cluster.Endpoint> endpoints(String service, String version) {
        Set<Cluster.Endpoint> result = new LinkedHashSet<>();
        for (ServiceSpec.Endpoint e : index.state.services().get(service).endpoints()) {
            if (version == null || version.equals(e.version())) result.add(new Cluster.Endpoint(e.address(), e.port()));
        }
        for (RegisteredEndpoint e : index.registered.getOrDefault(service, List.of())) {
            // The fleet API refuses such offers; one stored before it did must not reach a snapshot.
            if (EndpointAddress.problem(e.address()) != null) continue;
            if (version == null || version.equals(e.version())) result.add(new Cluster.Endpoint(e.address(), e.port()));
        }
        List<Cluster.Endpoint> sorted = new ArrayList<>(result);
        sorted.sort(Comparator.comparing(Cluster.Endpoint::address).thenComparingInt(Cluster.Endpoint::port));
        return sorted;
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
                    rules.add(new AccessControl.AccessRule(r.action(), r.identities(), r.paths(), r.exactPaths(), r.methods(), p));
                    allowList |= r.action() == AccessControl.Action.ALLOW;
                }
            }
            // Under STRICT nothing is allowed unless a policy says so; elsewhere allow rules turn the list into an allow-list.
            boolean deny = state.spec().mtls() == MtlsMode.STRICT || allowList;
            PolicySlots slots = serviceSlots(s);
            return new Inbound(spec.protocol(), spec.port(),
                    new AccessControl(deny ? AccessControl.Action.DENY : AccessControl.Action.ALLOW, rules),
                    spec.tcp() ? null : slots.inboundRateLimit, spec.tcp() ? null : slots.inboundFault);
        });
    }
}
