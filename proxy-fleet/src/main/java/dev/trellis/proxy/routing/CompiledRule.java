package dev.trellis.proxy.routing;

import java.util.function.Predicate;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.web.server.ServerWebExchange;

/** A snapshot rule ready to serve: its match and the gateway route (filters included) it leads to. */
record CompiledRule(Predicate<ServerWebExchange> match, Route route) {
}
