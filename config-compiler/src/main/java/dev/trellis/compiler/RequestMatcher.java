package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.compiler.snapshot.Match;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The semantics proxies give a snapshot's matches and access rules (see docs/snapshot-format.md),
 * evaluated on a simulated request.
 */
final class RequestMatcher {
    private RequestMatcher() {
    }

    static boolean matches(Match m, SimulatedRequest r) {
        if (m.pathExact() != null && !m.pathExact().equals(r.path())) return false;
        if (m.pathPrefix() != null && !r.path().startsWith(m.pathPrefix())) return false;
        if (m.pathRegex() != null && !Pattern.compile(m.pathRegex()).matcher(r.path()).matches()) return false;
        if (!m.methods().isEmpty() && !m.methods().contains(r.method())) return false;
        for (Match.HeaderMatch h : m.headers()) {
            String value = header(r.headers(), h.name());
            if (!valueMatches(value, h.exact(), h.prefix(), h.regex())) return false;
        }
        for (Match.QueryMatch q : m.query()) {
            if (!valueMatches(r.query().get(q.name()), q.exact(), null, q.regex())) return false;
        }
        return true;
    }

    private static boolean valueMatches(String value, String exact, String prefix, String regex) {
        if (value == null) return false;
        if (exact != null) return exact.equals(value);
        if (prefix != null) return value.startsWith(prefix);
        if (regex != null) return Pattern.compile(regex).matcher(value).matches();
        return true;
    }

    private static String header(Map<String, String> headers, String name) {
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if (e.getKey().toLowerCase(Locale.ROOT).equals(name)) return e.getValue();
        }
        return null;
    }

    /** A matching DENY wins; otherwise a matching ALLOW; otherwise the default (the proxy's own decision). */
    static SimulationResult.AccessDecision access(AccessControl access, String identity, SimulatedRequest r) {
        AccessControl.Decision decision = access.decideEveryReading(identity, r.path(), r.method());
        return new SimulationResult.AccessDecision(decision.action(), decision.rule() == null ? null : decision.rule().policy());
    }
}
