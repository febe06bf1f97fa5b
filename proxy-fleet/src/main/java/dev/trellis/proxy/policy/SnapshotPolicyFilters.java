package dev.trellis.proxy.policy;

import java.util.ArrayList;
import java.util.List;

import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.proxy.routing.PolicyFilters;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.stereotype.Component;

/** The one place where each policy kind of a snapshot rule becomes its gateway filter. */
@Component
class SnapshotPolicyFilters implements PolicyFilters {

    @Override
    public List<GatewayFilter> outbound(RouteRule rule, String matchedPrefix) {
        List<GatewayFilter> filters = new ArrayList<>();
        return filters;
    }

    @Override
    public List<GatewayFilter> inbound(Snapshot snapshot) {
        List<GatewayFilter> filters = new ArrayList<>();
        return filters;
    }
}
