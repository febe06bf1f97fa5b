package dev.trellis.compiler;

import dev.trellis.compiler.document.Methods;
import dev.trellis.compiler.document.ObjectReader;
import dev.trellis.compiler.policy.faultinjection.FaultInjectionKind;
import dev.trellis.compiler.policy.faultinjection.FaultSpec;
import dev.trellis.compiler.policy.retry.RetryKind;
import dev.trellis.compiler.policy.retry.RetrySpec;
import dev.trellis.compiler.policy.timeout.TimeoutKind;
import dev.trellis.compiler.policy.timeout.TimeoutSpec;
import dev.trellis.compiler.snapshot.HeaderSyntax;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads a route document. */
final class RouteDocument {
    private static final RetryKind RETRY = new RetryKind();

    private RouteDocument() {
    }

    static RouteSpec read(ObjectReader doc) {
        String service = doc.name("service", true);
        List<RouteSpec.Rule> rules = doc.objects("rules", true, RouteDocument::rule);
        return new RouteSpec(service, rules);
    }

    private static RouteSpec.Rule rule(ObjectReader rule) {
        RouteSpec.Match match = rule.object("match", false, RouteDocument::match);
        List<RouteSpec.Backend> backends = rule.objects("backends", true, RouteDocument::backend);
        checkWeights(rule, backends);
        TimeoutSpec timeout = TimeoutKind.of(rule, "timeout", false);
        RetrySpec retry = rule.object("retry", false, RETRY::read);
        FaultSpec fault = rule.object("fault", false, FaultInjectionKind::of);
        RouteSpec.Rewrite headers = rule.object("headers", false, RouteDocument::rewrite);
        RouteSpec.Mirror mirror = rule.object("mirror", false, m -> {
            String service = m.name("service", true);
            String version = m.name("version", false);
            Double percent = m.number("percent", 0, 100, false);
            return new RouteSpec.Mirror(service, version, percent == null ? 100 : percent);
        });
        if (headers != null && headers.prefixRewrite() != null && (match == null || match.pathPrefix() == null)) {
            rule.violation("headers.prefixRewrite", "needs a match.pathPrefix to replace");
        }
        return new RouteSpec.Rule(match == null ? RouteSpec.Match.any() : match, backends, timeout, retry, fault,
                headers, mirror);
    }

    private static void checkWeights(ObjectReader rule, List<RouteSpec.Backend> backends) {
        if (backends.size() > 1 || backends.stream().anyMatch(b -> b.weight() != 100)) {
            int total = backends.stream().mapToInt(RouteSpec.Backend::weight).sum();
            if (total != 100) rule.violation("backends", "weights must sum to 100, not " + total);
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < backends.size(); i++) {
            RouteSpec.Backend b = backends.get(i);
            if (!seen.add(b.service() + "/" + b.version())) {
                rule.violation("backends[" + i + "]", "duplicate backend " + b.service() + (b.version() == null ? "" : "/" + b.version()));
            }
        }
    }

    private static RouteSpec.Backend backend(ObjectReader b) {
        String service = b.name("service", true);
        String version = b.name("version", false);
        Integer weight = b.integer("weight", 0, 100, false);
        if (service == null) return null;
        return new RouteSpec.Backend(service, version, weight == null ? 100 : weight);
    }

    private static RouteSpec.Match match(ObjectReader m) {
        String exact = m.string("pathExact", false);
        String prefix = m.string("pathPrefix", false);
        String regex = m.regex("pathRegex", false);
        if (exact != null && Methods.pathProblem(exact) != null) m.violation("pathExact", "must start with /");
        if (prefix != null && Methods.pathProblem(prefix) != null) m.violation("pathPrefix", "must start with /");
        if ((m.has("pathExact") ? 1 : 0) + (m.has("pathPrefix") ? 1 : 0) + (m.has("pathRegex") ? 1 : 0) > 1) {
            m.violation("", "must have at most one of pathExact, pathPrefix, pathRegex");
        }
        List<String> methods = m.strings("methods", false, Methods::problem);
        List<RouteSpec.Condition> headers = m.objects("headers", false, c -> condition(c, true));
        List<RouteSpec.Condition> query = m.objects("query", false, c -> condition(c, false));
        return new RouteSpec.Match(exact, prefix, regex, methods == null ? List.of() : methods, headers, query);
    }

    private static RouteSpec.Condition condition(ObjectReader c, boolean header) {
        String name = c.string("name", true);
        if (name != null && header && HeaderSyntax.tokenProblem(name) != null) c.violation("name", HeaderSyntax.tokenProblem(name));
        String exact = c.string("exact", false);
        String prefix = header ? c.string("prefix", false) : null;
        String regex = c.regex("regex", false);
        Boolean present = c.bool("present", false);
        long given = java.util.stream.Stream.of("exact", "prefix", "regex", "present")
                .filter(f -> c.has(f) && (header || !f.equals("prefix"))).count();
        if (given != 1) {
            c.violation("", header ? "must have exactly one of exact, prefix, regex, present"
                    : "must have exactly one of exact, regex, present");
        }
        if (Boolean.FALSE.equals(present)) c.violation("present", "must be true (to require absence, use an ACCESS deny)");
        return name == null ? null : new RouteSpec.Condition(header ? name.toLowerCase(java.util.Locale.ROOT) : name,
                exact, prefix, regex, present);
    }

    /** One side of a header rewrite: {@code {"set": {...}, "remove": [...]}}. */
    private record HeaderChanges(Map<String, String> set, List<String> remove) {
        static final HeaderChanges NONE = new HeaderChanges(Map.of(), List.of());

        static HeaderChanges read(ObjectReader side) {
            List<String> remove = side.strings("remove", false, HeaderSyntax::rewriteNameProblem);
            Map<String, String> set = side.stringMap("set");
            set.forEach((name, value) -> {
                String nameProblem = HeaderSyntax.rewriteNameProblem(name);
                if (nameProblem != null) side.violation("set." + name, nameProblem);
                else if (HeaderSyntax.valueProblem(value) != null) side.violation("set." + name, HeaderSyntax.valueProblem(value));
            });
            return new HeaderChanges(set, remove == null ? List.of() : remove);
        }
    }

    private static RouteSpec.Rewrite rewrite(ObjectReader h) {
        HeaderChanges request = h.object("request", false, HeaderChanges::read);
        HeaderChanges response = h.object("response", false, HeaderChanges::read);
        request = request == null ? HeaderChanges.NONE : request;
        response = response == null ? HeaderChanges.NONE : response;
        String prefixRewrite = h.string("prefixRewrite", false);
        if (prefixRewrite != null && HeaderSyntax.pathAbsoluteProblem(prefixRewrite) != null) {
            h.violation("prefixRewrite", HeaderSyntax.pathAbsoluteProblem(prefixRewrite));
        }
        return new RouteSpec.Rewrite(request.set(), request.remove(), response.set(), response.remove(), prefixRewrite);
    }
}
