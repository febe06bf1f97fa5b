package dev.trellis.proxy.routing;

import java.util.List;

import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.Snapshot;
import org.springframework.cloud.gateway.filter.GatewayFilter;

/** The filters a rule's policies add in front of the upstream call, one per policy kind that is set. */
public interface PolicyFilters {

    /** Filters of an outbound rule of {@code service}; {@code matchedPrefix} is the rule's path prefix, for prefix rewrites. */
    List<GatewayFilter> outbound(String service, RouteRule rule, String matchedPrefix);

    /** Filters of the inbound side: access control, rate limit, fault. */
    List<GatewayFilter> inbound(Snapshot snapshot);
}
