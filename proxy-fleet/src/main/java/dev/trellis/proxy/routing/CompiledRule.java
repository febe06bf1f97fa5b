package dev.trellis.proxy.routing;

import dev.trellis.proxy.exchange.ProxyExchange;
import dev.trellis.proxy.exchange.RequestPolicy;

/**
 * A snapshot rule ready to serve: its match, its steps (policies, then the upstream call) and the
 * listener that counts its answers.
 */
record CompiledRule(RequestMatch match, RequestPolicy[] steps, ProxyExchange.ExchangeListener metrics) {

    void serve(ProxyExchange exchange) {
        exchange.run(steps, metrics);
    }
}
