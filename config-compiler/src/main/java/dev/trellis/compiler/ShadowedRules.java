package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.RouteRule;

import java.util.LinkedHashSet;
import java.util.List;

/**
 * Rules that can never match because an earlier rule for the same service takes every request
 * they would (rules are tried in route-name order, then rule order).
 */
final class ShadowedRules {
    private ShadowedRules() {
    }

    /** Checks the rules of one service's upstream entry. */
    static void check(String service, List<RouteRule> rules, List<Warning> warnings) {
        // The last rule is the compiler's own catch-all: being shadowed is its normal fate.
        for (int j = 1; j < rules.size() - 1; j++) {
            for (int i = 0; i < j; i++) {
                if (covers(rules.get(i).match(), rules.get(j).match())) {
                    LinkedHashSet<String> resources = new LinkedHashSet<>();
                    resources.add(TimeoutBudgets.resourceOf(rules.get(i), service));
                    resources.add(TimeoutBudgets.resourceOf(rules.get(j), service));
                    warnings.add(new Warning("SHADOWED_RULE", "rule " + rules.get(j).id() + " for " + service
                            + " never matches: the earlier rule " + rules.get(i).id() + " takes every request it would",
                            List.copyOf(resources)));
                    break;
                }
            }
        }
    }

    /** Whether every request that {@code later} matches is also matched by {@code earlier}. */
    static boolean covers(Match earlier, Match later) {
        return pathCovers(earlier, later)
                && (earlier.methods().isEmpty() || !later.methods().isEmpty() && earlier.methods().containsAll(later.methods()))
                && later.headers().containsAll(earlier.headers())
                && later.query().containsAll(earlier.query());
    }

    private static boolean pathCovers(Match earlier, Match later) {
        if (earlier.pathRegex() != null) return earlier.pathRegex().equals(later.pathRegex());
        if (earlier.pathExact() != null) return earlier.pathExact().equals(later.pathExact());
        String prefix = earlier.pathPrefix();
        if (later.pathExact() != null) return later.pathExact().startsWith(prefix);
        if (later.pathPrefix() != null) return later.pathPrefix().startsWith(prefix);
        return "/".equals(prefix);
    }
}
