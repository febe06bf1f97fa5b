package dev.trellis.proxy.exchange;

/**
 * One step of a rule: a policy (access, rate limit, fault, header rewrite...) or, last, the
 * upstream call. A step either calls {@link ProxyExchange#proceed()}, now or later on the
 * exchange's event loop, or answers the exchange.
 */
@FunctionalInterface
public interface RequestPolicy {
    void apply(ProxyExchange exchange);
}
