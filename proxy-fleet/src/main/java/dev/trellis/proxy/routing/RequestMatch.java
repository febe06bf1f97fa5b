package dev.trellis.proxy.routing;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import dev.trellis.compiler.snapshot.Match;
import java.util.Map;

import dev.trellis.proxy.exchange.ProxyExchange;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * A snapshot {@link Match} compiled into a predicate: regular expressions compiled once, methods in
 * a set. Every condition that is set must hold; the cheap ones are tested first.
 */
final class RequestMatch implements Predicate<ProxyExchange> {
    private final String pathExact;
    private final String pathPrefix;
    private final Pattern pathRegex;
    private final Set<String> methods;
    private final List<Predicate<HttpHeaders>> headers;
    private final List<Predicate<Map<String, List<String>>>> query;

    RequestMatch(Match match) {
        this.pathExact = match.pathExact();
        this.pathPrefix = match.pathPrefix();
        this.pathRegex = match.pathRegex() == null ? null : Pattern.compile(match.pathRegex());
        this.methods = Set.copyOf(match.methods());
        this.headers = match.headers().stream().map(RequestMatch::header).toList();
        this.query = match.query().stream().map(RequestMatch::query).toList();
    }

    /** The literal prefix, when the match has one, for the prefix rewrite and the rule index. */
    String pathPrefix() {
        return pathPrefix;
    }

    String pathExact() {
        return pathExact;
    }

    Pattern pathRegex() {
        return pathRegex;
    }

    @Override
    public boolean test(ProxyExchange exchange) {
        if (!methods.isEmpty() && !methods.contains(exchange.method())) return false;
        String path = exchange.path();
        if (pathExact != null && !pathExact.equals(path)) return false;
        if (pathPrefix != null && !path.startsWith(pathPrefix)) return false;
        if (pathRegex != null && !pathRegex.matcher(path).matches()) return false;
        for (Predicate<HttpHeaders> header : headers) {
            if (!header.test(exchange.headers())) return false;
        }
        if (!query.isEmpty()) {
            Map<String, List<String>> params = exchange.queryParameters();
            for (Predicate<Map<String, List<String>>> condition : query) {
                if (!condition.test(params)) return false;
            }
        }
        return true;
    }

    private static Predicate<HttpHeaders> header(Match.HeaderMatch m) {
        Predicate<String> value = valueTest(m.exact(), m.prefix(), m.regex());
        boolean mustBePresent = m.present() == null || m.present();
        return headers -> {
            List<String> values = headers.getAll(m.name());
            boolean present = values != null && !values.isEmpty();
            if (!present) return !mustBePresent;
            return mustBePresent && values.stream().anyMatch(value);
        };
    }

    private static Predicate<Map<String, List<String>>> query(Match.QueryMatch m) {
        Predicate<String> value = valueTest(m.exact(), null, m.regex());
        boolean mustBePresent = m.present() == null || m.present();
        return params -> {
            List<String> values = params.get(m.name());
            boolean present = values != null && !values.isEmpty();
            if (!present) return !mustBePresent;
            return mustBePresent && values.stream().anyMatch(v -> value.test(v == null ? "" : v));
        };
    }

    private static Predicate<String> valueTest(String exact, String prefix, String regex) {
        if (exact != null) return exact::equals;
        if (prefix != null) return v -> v.startsWith(prefix);
        if (regex != null) {
            Pattern pattern = Pattern.compile(regex);
            return v -> pattern.matcher(v).matches();
        }
        return v -> true;
    }
}
