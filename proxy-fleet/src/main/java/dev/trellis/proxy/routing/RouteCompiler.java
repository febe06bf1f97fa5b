package dev.trellis.proxy.routing;

import java.net.URI;
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
import dev.trellis.proxy.upstream.UpstreamCallFilter;
import dev.trellis.proxy.upstream.UpstreamClient;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.route.Route;

/**
 * Builds the gateway's routes, predicates and filters from a snapshot, in code: one route per rule,
 * indexed by each host of its upstream, plus the inbound route to the local app.
 */
public final class RouteCompiler {
    static final String APP_CLUSTER = "inbound|app";

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
     * @throws java.util.regex.PatternSyntaxException when a rule's regular expression is invalid
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
        Map<String, RuleIndex> byHost = new HashMap<>();
        for (Upstream upstream : snapshot.upstreams()) {
            List<CompiledRule> rules = new ArrayList<>();
            for (RouteRule rule : upstream.rules()) rules.add(outboundRule(upstream, rule, matches.get(rule), runtimes));
            RuleIndex frozen = new RuleIndex(rules);
            byHost.put(upstream.service().toLowerCase(java.util.Locale.ROOT), frozen);
            for (String host : upstream.hosts()) byHost.put(RoutingTable.hostName(host), frozen);
        }
        return new RoutingTable(snapshot, Map.copyOf(byHost), inboundRule(snapshot, runtimes));
    }

    private CompiledRule outboundRule(Upstream upstream, RouteRule rule, RequestMatch match,
                                      Map<String, ClusterRuntime> runtimes) {
        List<GatewayFilter> filters = new ArrayList<>(policies.outbound(upstream.service(), rule, match.pathPrefix()));
        filters.add(new UpstreamCallFilter(rule.backends(), rule.mirror(), rule.retry(), rule.timeoutMs(), runtimes, client));
        return new CompiledRule(match, route(rule.id(), upstream.service(), match, filters));
    }

    private CompiledRule inboundRule(Snapshot snapshot, Map<String, ClusterRuntime> runtimes) {
        List<GatewayFilter> filters = new ArrayList<>(policies.inbound(snapshot));
        filters.add(new UpstreamCallFilter(List.of(new WeightedCluster(APP_CLUSTER, 1)), null, null, 0, runtimes, client));
        RequestMatch any = new RequestMatch(Match.any());
        return new CompiledRule(any, route("inbound", snapshot.service() + "-app", any, filters));
    }

    private static Route route(String id, String host, RequestMatch match, List<GatewayFilter> filters) {
        return Route.async()
                .id(id)
                .uri(URI.create("http://" + host.replace('|', '-').replace('/', '-')))
                .predicate(match)
                .filters(filters)
                .build();
    }

    private Cluster appCluster(Snapshot snapshot) {
        int port = appPort > 0 ? appPort : snapshot.inbound().port();
        return new Cluster(APP_CLUSTER, snapshot.service(), null, snapshot.identity(), false,
                Cluster.LoadBalancer.ROUND_ROBIN, List.of(new Cluster.Endpoint("127.0.0.1", port)), null, null);
    }
}
