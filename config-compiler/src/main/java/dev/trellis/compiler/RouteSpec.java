package dev.trellis.compiler;

import dev.trellis.compiler.policy.faultinjection.FaultSpec;
import dev.trellis.compiler.policy.retry.RetrySpec;
import dev.trellis.compiler.policy.timeout.TimeoutSpec;

import java.util.List;
import java.util.Map;

/**
 * A route document: for one target {@code service}, ordered {@code rules}; the first rule whose
 * match fits a request decides where it goes.
 */
public record RouteSpec(String service, List<Rule> rules) {
    public RouteSpec {
        rules = List.copyOf(rules);
    }

    /**
     * One rule. {@code timeout}, {@code retry} and {@code fault} are null when not set here, and then
     * come from policies (route, then service, then mesh default).
     */
    public record Rule(Match match, List<Backend> backends, TimeoutSpec timeout, RetrySpec retry, FaultSpec fault,
                       Rewrite headers, Mirror mirror) {
        public Rule {
            backends = List.copyOf(backends);
        }
    }

    /** Which requests a rule takes: at most one path condition; every given condition must hold. */
    public record Match(String pathExact, String pathPrefix, String pathRegex, List<String> methods,
                        List<Condition> headers, List<Condition> query) {
        public Match {
            methods = List.copyOf(methods);
            headers = List.copyOf(headers);
            query = List.copyOf(query);
        }

        /** Matches every request. */
        public static Match any() {
            return new Match(null, null, null, List.of(), List.of(), List.of());
        }
    }

    /** A header or query parameter condition: exactly one of {@code exact}, {@code prefix} (headers only), {@code regex}, {@code present}. */
    public record Condition(String name, String exact, String prefix, String regex, Boolean present) {
    }

    /** A weighted destination; {@code version} null means every version of the service. */
    public record Backend(String service, String version, int weight) {
    }

    /** Header changes ({@code request}/{@code response} {@code set}/{@code remove}) and a path prefix rewrite. */
    public record Rewrite(Map<String, String> requestSet, List<String> requestRemove, Map<String, String> responseSet,
                          List<String> responseRemove, String prefixRewrite) {
        public Rewrite {
            requestSet = Map.copyOf(requestSet);
            requestRemove = List.copyOf(requestRemove);
            responseSet = Map.copyOf(responseSet);
            responseRemove = List.copyOf(responseRemove);
        }
    }

    /** Copies {@code percent} of the rule's requests to a service (or one version), responses dropped. */
    public record Mirror(String service, String version, double percent) {
    }
}
