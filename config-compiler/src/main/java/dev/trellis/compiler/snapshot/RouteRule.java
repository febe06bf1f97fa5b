package dev.trellis.compiler.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * One compiled rule: a match and where matching requests go, with every client policy already
 * resolved (route rule over route over service over mesh default), so the proxy applies the
 * values it finds here and looks nothing up.
 *
 * @param id        {@code <route>/<ruleIndex>}, or {@code <service>/default} for the catch-all
 * @param match     what requests this rule takes
 * @param backends  weighted clusters; weights are relative, summing to 100 for declared splits
 * @param timeoutMs overall timeout including retries, or 0 for none
 * @param retry     retry policy, or null for no retries
 * @param fault     fault injection, or null
 * @param headers   header and path rewrites, or null
 * @param mirror    traffic mirroring, or null
 * @param rateLimit local rate limit on this rule's calls, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteRule(String id, Match match, List<WeightedCluster> backends, long timeoutMs, Retry retry,
                        Fault fault, HeaderRewrite headers, Mirror mirror, RateLimit rateLimit) {
    public RouteRule {
        backends = List.copyOf(backends);
    }
}
