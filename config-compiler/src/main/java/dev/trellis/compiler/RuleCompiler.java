package dev.trellis.compiler;

import dev.trellis.compiler.policy.PolicyLevel;
import dev.trellis.compiler.policy.PolicySlots;
import dev.trellis.compiler.snapshot.HeaderRewrite;
import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.Mirror;
import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.WeightedCluster;

import java.util.ArrayList;
import java.util.List;

/**
 * Compiles the routes of one service into the ordered rules of its upstream entry, resolving
 * every client policy by precedence: rule, then route policies, then service policies, then mesh
 * defaults. A catch-all rule to the whole service ends the list.
 */
final class RuleCompiler {
    private RuleCompiler() {
    }

    static List<RouteRule> rules(String service, MeshIndex index, PolicySlots serviceSlots) {
        List<RouteRule> rules = new ArrayList<>();
        for (String routeName : index.routesOf(service)) {
            RouteSpec route = index.state.routes().get(routeName);
            PolicySlots routeSlots = serviceSlots.copy();
            for (String p : index.policiesOfRoute(routeName)) {
                PolicySpec policy = index.state.policies().get(p);
                if (service.equals(policy.target().service())) policy.spec().applyTo(PolicyLevel.ROUTE, routeSlots);
            }
            for (int i = 0; i < route.rules().size(); i++) {
                rules.add(rule(routeName + "/" + i, route.rules().get(i), routeSlots.copy()));
            }
        }
        rules.add(new RouteRule(service + "/default", Match.any(), List.of(new WeightedCluster(service, 100)),
                serviceSlots.timeoutMs, serviceSlots.retry, null, null, null, null));
        return rules;
    }

    private static RouteRule rule(String id, RouteSpec.Rule rule, PolicySlots slots) {
        if (rule.timeout() != null) rule.timeout().applyTo(PolicyLevel.RULE, slots);
        if (rule.retry() != null) rule.retry().applyTo(PolicyLevel.RULE, slots);
        if (rule.fault() != null) rule.fault().applyTo(PolicyLevel.RULE, slots);
        List<WeightedCluster> backends = new ArrayList<>();
        for (RouteSpec.Backend b : rule.backends()) backends.add(new WeightedCluster(clusterName(b.service(), b.version()), b.weight()));
        RouteSpec.Rewrite h = rule.headers();
        HeaderRewrite headers = h == null ? null
                : new HeaderRewrite(h.requestSet(), h.requestRemove(), h.responseSet(), h.responseRemove(), h.prefixRewrite());
        Mirror mirror = rule.mirror() == null ? null
                : new Mirror(clusterName(rule.mirror().service(), rule.mirror().version()), rule.mirror().percent());
        return new RouteRule(id, match(rule.match()), backends, slots.timeoutMs, slots.retry, slots.ruleFault, headers,
                mirror, slots.ruleRateLimit);
    }

    static String clusterName(String service, String version) {
        return version == null ? service : service + "/" + version;
    }

    static Match match(RouteSpec.Match m) {
        List<Match.HeaderMatch> headers = m.headers().stream()
                .map(c -> new Match.HeaderMatch(c.name(), c.exact(), c.prefix(), c.regex(), c.present())).toList();
        List<Match.QueryMatch> query = m.query().stream()
                .map(c -> new Match.QueryMatch(c.name(), c.exact(), c.regex(), c.present())).toList();
        boolean noPath = m.pathExact() == null && m.pathPrefix() == null && m.pathRegex() == null;
        return new Match(m.pathExact(), noPath ? "/" : m.pathPrefix(), m.pathRegex(), m.methods(), headers, query);
    }
}
