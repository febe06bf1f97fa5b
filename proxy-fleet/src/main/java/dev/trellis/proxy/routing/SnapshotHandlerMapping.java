package dev.trellis.proxy.routing;

import java.net.InetSocketAddress;

import dev.trellis.proxy.ProxyAnswer;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.web.reactive.handler.AbstractHandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;
import reactor.core.publisher.Mono;

/**
 * Finds the route of a request in the active table and hands it to the gateway's filtering handler.
 * It takes the place of the gateway's RoutePredicateHandlerMapping, which tests every route's
 * predicate in turn: here the host picks the service's rules first. The listener the request came
 * in on (by local port) tells inbound from outbound.
 */
final class SnapshotHandlerMapping extends AbstractHandlerMapping {
    private static final WebHandler NOT_READY =
            exchange -> ProxyAnswer.write(exchange, 503, "x-trellis-error", "no snapshot applied yet");
    private static final WebHandler NO_ROUTE =
            exchange -> ProxyAnswer.write(exchange, 404, "x-trellis-error", "no route for this host and request");

    private final ActiveRoutes routes;
    private final Mono<Object> gateway;
    private final int inboundPort;

    SnapshotHandlerMapping(ActiveRoutes routes, FilteringWebHandler gateway, int inboundPort) {
        this.routes = routes;
        this.gateway = Mono.just(gateway);
        this.inboundPort = inboundPort;
        setOrder(-100);
    }

    @Override
    protected Mono<?> getHandlerInternal(ServerWebExchange exchange) {
        RoutingTable table = routes.current();
        if (table == null) return Mono.just(NOT_READY);
        InetSocketAddress local = exchange.getRequest().getLocalAddress();
        CompiledRule rule = local != null && local.getPort() == inboundPort ? table.inbound() : table.outbound(exchange);
        if (rule == null) return Mono.just(NO_ROUTE);
        exchange.getAttributes().put(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR, rule.route());
        return gateway;
    }
}
