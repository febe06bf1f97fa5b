package dev.trellis.compiler.snapshot;

import java.util.List;

/**
 * The part of {@link Snapshot#ensureConsistent()} that keeps a snapshot from harming the proxy or
 * the wire, whatever produced it: every regex acceptable to {@link MatchPatterns}, every header
 * rewrite acceptable to {@link HeaderSyntax}, every endpoint address acceptable to
 * {@link EndpointAddress}. The API refuses all of these already; this is the proxy's own wall.
 */
final class WireSafety {
    private WireSafety() {
    }

    static void check(List<Upstream> upstreams, List<Cluster> clusters, List<String> problems) {
        for (Upstream u : upstreams) {
            for (RouteRule r : u.rules()) {
                String rule = "rule " + r.id() + " ";
                if (r.match() != null) match(rule, r.match(), problems);
                if (r.headers() != null) r.headers().problems().forEach(p -> problems.add(rule + p));
            }
        }
        for (Cluster c : clusters) {
            for (Cluster.Endpoint e : c.endpoints()) {
                String problem = EndpointAddress.problem(e.address());
                if (problem != null) problems.add("cluster " + c.name() + " endpoint address " + problem);
                if (e.port() < 1 || e.port() > 65_535) problems.add("cluster " + c.name() + " endpoint port " + e.port() + " is out of range");
            }
        }
    }

    private static void match(String rule, Match m, List<String> problems) {
        regex(rule + "pathRegex", m.pathRegex(), problems);
        for (Match.HeaderMatch h : m.headers()) regex(rule + "header " + h.name() + " regex", h.regex(), problems);
        for (Match.QueryMatch q : m.query()) regex(rule + "query " + q.name() + " regex", q.regex(), problems);
    }

    private static void regex(String what, String regex, List<String> problems) {
        if (regex == null) return;
        String problem = MatchPatterns.problem(regex);
        if (problem != null) problems.add(what + " " + problem);
    }
}
