package dev.trellis.proxy.routing;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The routing table in force. Each request reads it once, so a swap never mixes two snapshots in
 * one request, and requests already under way finish on the table they started with.
 */
public final class ActiveRoutes {
    private final AtomicReference<RoutingTable> current = new AtomicReference<>();

    public RoutingTable current() {
        return current.get();
    }

    public void install(RoutingTable table) {
        current.set(table);
    }
}
