package dev.trellis.proxy.policy;

import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.Upstream;
import dev.trellis.proxy.routing.RouteCompiler;
import dev.trellis.proxy.snapshot.SnapshotApplied;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.HashSet;
import java.util.Set;

/**
 * Drops the request meters of routes that the snapshot now in force no longer has, so
 * {@code /metrics} holds the routes being served rather than every route ever served. Meters of
 * routes the snapshot keeps survive the swap with their counts.
 */
public final class StaleRouteMeters {
    private final MeterRegistry registry;

    public StaleRouteMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    public void onApplied(SnapshotApplied applied) {
        Set<String> live = new HashSet<>();
        live.add(RouteCompiler.INBOUND_ROUTE);
        for (Upstream upstream : applied.snapshot().upstreams()) {
            for (RouteRule rule : upstream.rules()) live.add(rule.id());
        }
        for (Meter meter : registry.find(RouteMetricsFilter.METER).meters()) {
            if (!live.contains(meter.getId().getTag("route"))) registry.remove(meter);
        }
    }
}
