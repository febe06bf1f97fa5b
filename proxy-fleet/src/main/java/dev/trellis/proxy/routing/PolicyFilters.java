package dev.trellis.proxy.routing;

import java.util.List;

import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.proxy.exchange.ProxyExchange;
import dev.trellis.proxy.exchange.RequestPolicy;

/** The steps a rule's policies add in front of the upstream call, one per policy kind that is set. */
public interface PolicyFilters {

    /** Steps of an outbound rule of {@code service}; {@code matchedPrefix} is the rule's path prefix, for prefix rewrites. */
    List<RequestPolicy> outbound(String service, RouteRule rule, String matchedPrefix);

    /** Steps of the inbound side: access control, rate limit, fault. */
    List<RequestPolicy> inbound(Snapshot snapshot);

    /** Counts the answers of one route (outbound rule or the inbound side). */
    ProxyExchange.ExchangeListener metrics(String direction, String service, String route);
}
