package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.compiler.snapshot.CompiledMatch;
import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.RequestView;

import java.util.List;
import java.util.Map;

/**
 * The semantics proxies give a snapshot's matches and access rules (see docs/snapshot-format.md),
 * evaluated on a simulated request. Matches run the proxy's own {@link CompiledMatch}.
 */
final class RequestMatcher {
    private RequestMatcher() {
    }

    /** The proxy's own matcher, {@link CompiledMatch}, applied to a simulated request. */
    static boolean matches(Match m, SimulatedRequest r) {
        return CompiledMatch.of(m).test(r, SIMULATED);
    }

    private static final RequestView<SimulatedRequest> SIMULATED = new RequestView<>() {
        @Override
        public String method(SimulatedRequest r) {
            return r.method();
        }

        @Override
        public String path(SimulatedRequest r) {
            return r.path();
        }

        @Override
        public List<String> headerValues(SimulatedRequest r, String name) {
            for (Map.Entry<String, String> e : r.headers().entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) return List.of(e.getValue());
            }
            return List.of();
        }

        @Override
        public List<String> queryValues(SimulatedRequest r, String name) {
            String value = r.query().get(name);
            return value == null ? List.of() : List.of(value);
        }
    };

    /** A matching DENY wins; otherwise a matching ALLOW; otherwise the default (the proxy's own decision). */
    static SimulationResult.AccessDecision access(AccessControl access, String identity, SimulatedRequest r) {
        AccessControl.Decision decision = access.decideEveryReading(identity, r.path(), r.method());
        return new SimulationResult.AccessDecision(decision.action(), decision.rule() == null ? null : decision.rule().policy());
    }
}
