package dev.trellis.proxy.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.Upstream;
import dev.trellis.compiler.snapshot.WeightedCluster;
import dev.trellis.proxy.upstream.ClusterRegistry;
import dev.trellis.proxy.upstream.ClusterRuntime;
import dev.trellis.proxy.exchange.RequestPolicy;
import dev.trellis.proxy.upstream.TcpUpstream;
import dev.trellis.proxy.upstream.UpstreamCall;
import dev.trellis.proxy.upstream.UpstreamClient;

/**
 * Builds the routing table from a snapshot, in code: one compiled rule (match, policy steps, upstream
 * call) per snapshot rule, indexed by each host of its upstream, plus the inbound rule to the local app.
 */
public final class RouteCompiler {
    static final String APP_CLUSTER = "inbound|app";
    static final String TCP = "tcp";
    /** The route tag of the inbound side's metrics. */
    public static final String INBOUND_ROUTE = "inbound";

    private final ClusterRegistry clusters;
    private final UpstreamClient client;
    private final PolicyFilters policies;
    private final int appPort;

    public RouteCompiler(ClusterRegistry clusters, UpstreamClient client, PolicyFilters policies, int appPort) {
        this.clusters = clusters;
        this.client = client;
        this.policies = policies;
        this.appPort = appPort;
    }

    /**
     * @throws IllegalArgumentException when a rule's regular expression is refused (see MatchPatterns)
     */
    public RoutingTable compile(Snapshot snapshot) {
        // Everything that can fail is compiled before the cluster registry learns of the snapshot.
        Map<RouteRule, RequestMatch> matches = new java.util.IdentityHashMap<>();
        for (Upstream upstream : snapshot.upstreams()) {
            for (RouteRule rule : upstream.rules()) matches.put(rule, new RequestMatch(rule.match() == null ? Match.any() : rule.match()));
        }
        List<Cluster> all = new ArrayList<>(snapshot.clusters());
        all.add(appCluster(snapshot));
        Map<String, ClusterRuntime> runtimes = clusters.update(all);
        runtimes.get(APP_CLUSTER).http2("grpc".equals(snapshot.inbound().protocol()));
        Map<String, RuleIndex> byHost = new HashMap<>();
        Map<String, TcpUpstream> tcp = new HashMap<>();
        for (Upstream upstream : snapshot.upstreams()) {
            if (TCP.equals(upstream.protocol())) {
                // Opaque bytes have no path or header: the first rule (the compiler's catch-all or a route's split) decides.
                tcp.put(upstream.service(), new TcpUpstream(upstream.rules().get(0).backends(), runtimes, client));
                continue;
            }
            List<CompiledRule> rules = new ArrayList<>();
            for (RouteRule rule : upstream.rules()) rules.add(outboundRule(upstream, rule, matches.get(rule), runtimes));
            RuleIndex frozen = new RuleIndex(rules);
            byHost.put(upstream.service().toLowerCase(java.util.Locale.ROOT), frozen);
            for (String host : upstream.hosts()) byHost.put(RoutingTable.hostName(host), frozen);
        }
        TcpUpstream inboundTcp = TCP.equals(snapshot.inbound().protocol())
                ? new TcpUpstream(List.of(new WeightedCluster(APP_CLUSTER, 1)), runtimes, client) : null;
        return new RoutingTable(snapshot, Map.copyOf(byHost), inboundRule(snapshot, runtimes), Map.copyOf(tcp), inboundTcp);
    }

    private CompiledRule outboundRule(Upstream upstream, RouteRule rule, RequestMatch match,
                                      Map<String, ClusterRuntime> runtimes) {
        List<RequestPolicy> steps = new ArrayList<>(policies.outbound(upstream.service(), rule, match.pathPrefix()));
        steps.add(new UpstreamCall(rule.backends(), rule.mirror(), rule.retry(), rule.timeoutMs(), runtimes, client));
        return new CompiledRule(match, steps.toArray(RequestPolicy[]::new), policies.metrics("outbound", upstream.service(), rule.id()));
    }

    private CompiledRule inboundRule(Snapshot snapshot, Map<String, ClusterRuntime> runtimes) {
        List<RequestPolicy> steps = new ArrayList<>(policies.inbound(snapshot));
        steps.add(new UpstreamCall(List.of(new WeightedCluster(APP_CLUSTER, 1)), null, null, 0, runtimes, client));
        return new CompiledRule(new RequestMatch(Match.any()), steps.toArray(RequestPolicy[]::new),
                policies.metrics("inbound", snapshot.service(), INBOUND_ROUTE));
    }

    private Cluster appCluster(Snapshot snapshot) {
        int port = appPort > 0 ? appPort : snapshot.inbound().port();
        return new Cluster(APP_CLUSTER, snapshot.service(), null, snapshot.identity(), false,
                Cluster.LoadBalancer.ROUND_ROBIN, List.of(new Cluster.Endpoint("127.0.0.1", port)), null, null);
    }
}
