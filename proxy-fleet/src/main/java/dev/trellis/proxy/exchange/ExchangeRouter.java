package dev.trellis.proxy.exchange;

/** Finds what serves an exchange (its rule's steps) and starts it, or answers it at once. */
@FunctionalInterface
public interface ExchangeRouter {
    void route(ProxyExchange exchange, boolean inbound);
}
