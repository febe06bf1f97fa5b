package dev.trellis.proxy.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import dev.trellis.proxy.exchange.ProxyExchange;

/**
 * The ordered rules of one service, indexed by literal path so a request tests only the rules
 * whose exact path or path prefix it has, plus the rules without a literal path (regex, none).
 * The first matching rule in declaration order still wins: candidates are tested in rule order and
 * the search stops at the best match found so far.
 */
final class RuleIndex {
    private static final int[] NONE = new int[0];

    private final CompiledRule[] rules;
    private final Map<String, int[]> byExactPath = new HashMap<>();
    private final Map<String, int[]> byPrefix = new HashMap<>();
    private final int[] prefixLengths;
    private final int[] unindexed;

    RuleIndex(List<CompiledRule> ordered) {
        rules = ordered.toArray(CompiledRule[]::new);
        Map<String, List<Integer>> exact = new HashMap<>();
        Map<String, List<Integer>> prefix = new HashMap<>();
        TreeSet<Integer> lengths = new TreeSet<>();
        List<Integer> rest = new ArrayList<>();
        for (int i = 0; i < rules.length; i++) {
            RequestMatch match = rules[i].match();
            if (match.pathExact() != null) {
                exact.computeIfAbsent(match.pathExact(), k -> new ArrayList<>()).add(i);
            } else if (match.pathPrefix() != null && match.pathRegex() == null) {
                prefix.computeIfAbsent(match.pathPrefix(), k -> new ArrayList<>()).add(i);
                lengths.add(match.pathPrefix().length());
            } else {
                rest.add(i);
            }
        }
        exact.forEach((path, indexes) -> byExactPath.put(path, toArray(indexes)));
        prefix.forEach((path, indexes) -> byPrefix.put(path, toArray(indexes)));
        prefixLengths = lengths.stream().mapToInt(Integer::intValue).toArray();
        unindexed = toArray(rest);
    }

    /** The first rule, in declaration order, that matches; null when none does. */
    CompiledRule first(ProxyExchange exchange) {
        String path = exchange.path();
        int best = firstMatching(byExactPath.getOrDefault(path, NONE), Integer.MAX_VALUE, exchange);
        for (int length : prefixLengths) {
            if (length > path.length()) break;
            int[] candidates = byPrefix.get(path.substring(0, length));
            if (candidates != null) best = firstMatching(candidates, best, exchange);
        }
        best = firstMatching(unindexed, best, exchange);
        return best == Integer.MAX_VALUE ? null : rules[best];
    }

    private int firstMatching(int[] candidates, int best, ProxyExchange exchange) {
        for (int index : candidates) {
            if (index >= best) return best;
            if (rules[index].match().test(exchange)) return index;
        }
        return best;
    }

    private static int[] toArray(List<Integer> indexes) {
        return indexes.stream().mapToInt(Integer::intValue).toArray();
    }
}
