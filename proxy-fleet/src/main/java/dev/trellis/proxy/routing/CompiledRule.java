package dev.trellis.proxy.routing;

import org.springframework.cloud.gateway.route.Route;

/** A snapshot rule ready to serve: its match and the gateway route (filters included) it leads to. */
record CompiledRule(RequestMatch match, Route route) {
}
