package dev.trellis.proxy.policy;

import java.util.ArrayList;
import java.util.List;

import dev.trellis.compiler.snapshot.Inbound;
import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.proxy.exchange.ProxyExchange;
import dev.trellis.proxy.exchange.RequestPolicy;
import dev.trellis.proxy.routing.PolicyFilters;
import io.micrometer.core.instrument.MeterRegistry;

/** The one place where each policy kind of a snapshot becomes its step. */
public final class SnapshotPolicyFilters implements PolicyFilters {
    private final MeterRegistry registry;
    private final UsageLedger ledger;

    public SnapshotPolicyFilters(MeterRegistry registry, UsageLedger ledger) {
        this.registry = registry;
        this.ledger = ledger;
    }

    @Override
    public List<RequestPolicy> outbound(String service, RouteRule rule, String matchedPrefix) {
        List<RequestPolicy> filters = new ArrayList<>();
        filters.add(new TraceparentFilter());
        if (rule.rateLimit() != null) filters.add(new RateLimitFilter(rule.rateLimit()));
        if (rule.fault() != null) filters.add(new FaultFilter(rule.fault()));
        if (rule.headers() != null) filters.add(new HeaderRewriteFilter(rule.headers(), matchedPrefix));
        return filters;
    }

    @Override
    public List<RequestPolicy> inbound(Snapshot snapshot) {
        Inbound inbound = snapshot.inbound();
        List<RequestPolicy> filters = new ArrayList<>();
        filters.add(new TraceparentFilter());
        if (inbound.access() != null) filters.add(new AccessFilter(inbound.access()));
        if (inbound.rateLimit() != null) filters.add(new RateLimitFilter(inbound.rateLimit()));
        if (inbound.fault() != null) filters.add(new FaultFilter(inbound.fault()));
        return filters;
    }

    @Override
    public ProxyExchange.ExchangeListener metrics(String direction, String service, String route) {
        return new RouteMetricsFilter(registry, ledger, direction, service, route);
    }
}
