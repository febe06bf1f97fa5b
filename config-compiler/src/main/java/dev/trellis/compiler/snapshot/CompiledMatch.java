package dev.trellis.compiler.snapshot;

import com.google.re2j.Pattern;

import java.util.List;
import java.util.Set;

/**
 * A {@link Match} ready to evaluate: the one implementation of its semantics, run by the proxy on
 * every request and by {@code /simulate}, so a simulation cannot promise what the proxy will not do.
 * Regular expressions are compiled once, with RE2/J (see {@link MatchPatterns}), and must match the
 * whole value; methods are compared exactly; a header or query condition holds when any of its
 * values satisfies it. {@code present: false} requires the header or parameter to be absent. The
 * cheap conditions are tested first, and testing allocates nothing beyond what the view returns.
 */
public final class CompiledMatch {
    private final String pathExact;
    private final String pathPrefix;
    private final String pathRegexSource;
    private final Pattern pathRegex;
    private final Set<String> methods;
    private final Condition[] headers;
    private final Condition[] query;

    private CompiledMatch(Match match) {
        pathExact = match.pathExact();
        pathPrefix = match.pathPrefix();
        pathRegexSource = match.pathRegex();
        pathRegex = pathRegexSource == null ? null : MatchPatterns.compile(pathRegexSource);
        methods = Set.copyOf(match.methods());
        headers = match.headers().stream()
                .map(h -> new Condition(h.name(), h.exact(), h.prefix(), h.regex(), h.present())).toArray(Condition[]::new);
        query = match.query().stream()
                .map(q -> new Condition(q.name(), q.exact(), null, q.regex(), q.present())).toArray(Condition[]::new);
    }

    /**
     * Compiles a match; null stands for {@link Match#any()}.
     *
     * @throws IllegalArgumentException when one of its regular expressions is refused by {@link MatchPatterns}
     */
    public static CompiledMatch of(Match match) {
        return new CompiledMatch(match == null ? Match.any() : match);
    }

    public String pathExact() {
        return pathExact;
    }

    /** The literal prefix, when the match has one. */
    public String pathPrefix() {
        return pathPrefix;
    }

    /** The path regex as written, or null. */
    public String pathRegex() {
        return pathRegexSource;
    }

    /** Whether every condition holds for the request. */
    public <R> boolean test(R request, RequestView<R> view) {
        if (!methods.isEmpty() && !methods.contains(view.method(request))) return false;
        String path = view.path(request);
        if (pathExact != null && !pathExact.equals(path)) return false;
        if (pathPrefix != null && !path.startsWith(pathPrefix)) return false;
        if (pathRegex != null && !pathRegex.matches(path)) return false;
        for (Condition h : headers) {
            if (!h.test(view.headerValues(request, h.name))) return false;
        }
        for (Condition q : query) {
            if (!q.test(view.queryValues(request, q.name))) return false;
        }
        return true;
    }

    /** One header or query condition; exactly one of exact, prefix, regex, or only presence. */
    private static final class Condition {
        private final String name;
        private final String exact;
        private final String prefix;
        private final Pattern regex;
        private final boolean mustBePresent;

        Condition(String name, String exact, String prefix, String regex, Boolean present) {
            this.name = name;
            this.exact = exact;
            this.prefix = prefix;
            this.regex = regex == null ? null : MatchPatterns.compile(regex);
            this.mustBePresent = present == null || present;
        }

        boolean test(List<String> values) {
            if (values == null || values.isEmpty()) return !mustBePresent;
            if (!mustBePresent) return false;
            for (int i = 0; i < values.size(); i++) {
                if (value(values.get(i))) return true;
            }
            return false;
        }

        private boolean value(String v) {
            String value = v == null ? "" : v;
            if (exact != null) return exact.equals(value);
            if (prefix != null) return value.startsWith(prefix);
            if (regex != null) return regex.matches(value);
            return true;
        }
    }
}
