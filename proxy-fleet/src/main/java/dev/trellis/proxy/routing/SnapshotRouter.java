package dev.trellis.proxy.routing;

import dev.trellis.compiler.snapshot.RequestPath;
import dev.trellis.proxy.exchange.ExchangeRouter;
import dev.trellis.proxy.exchange.ProxyExchange;

/**
 * Finds the rule of a request in the table in force and serves it: inbound requests take the inbound
 * rule; outbound ones the first matching rule of the service their host names, which the table
 * finds by host and literal path instead of testing every rule in turn. First the path is
 * normalised ({@link RequestPath}), once, so that routing, access rules and the upstream all see the
 * same path; a path without a normal form is answered 400.
 */
public final class SnapshotRouter implements ExchangeRouter {
    private final ActiveRoutes routes;
    private final RequestPath.EscapedSlashes escapedSlashes;

    public SnapshotRouter(ActiveRoutes routes, RequestPath.EscapedSlashes escapedSlashes) {
        this.routes = routes;
        this.escapedSlashes = escapedSlashes;
    }

    @Override
    public void route(ProxyExchange exchange, boolean inbound) {
        try {
            exchange.normalisedPath(RequestPath.normalise(exchange.path(), escapedSlashes));
        } catch (RequestPath.Rejected e) {
            exchange.answer(400, "x-trellis-error", "bad path: " + e.getMessage());
            return;
        }
        RoutingTable table = routes.current();
        if (table == null) {
            exchange.answer(503, "x-trellis-error", "no snapshot applied yet");
            return;
        }
        CompiledRule rule = inbound ? table.inbound() : table.outbound(exchange);
        if (rule == null) {
            exchange.answer(404, "x-trellis-error", "no route for this host and request");
            return;
        }
        rule.serve(exchange);
    }
}
