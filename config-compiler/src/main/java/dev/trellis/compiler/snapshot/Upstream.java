package dev.trellis.compiler.snapshot;

import java.util.List;

/**
 * A service this one may call through its outbound port. A request whose Host is one of
 * {@code hosts} (e.g. {@code echo}, {@code echo.shop}) is matched against {@code rules} in order;
 * the first match decides. The compiler always ends the list with a catch-all rule to the
 * service's default cluster, so every request to a known host matches something.
 *
 * @param service  the upstream service's name
 * @param hosts    host names (without port) that address it
 * @param protocol {@code http}, {@code grpc} or {@code tcp}
 * @param port     the service's port
 * @param rules    ordered rules; the first one that matches applies
 */
public record Upstream(String service, List<String> hosts, String protocol, int port, List<RouteRule> rules) {
    public Upstream {
        hosts = List.copyOf(hosts);
        rules = List.copyOf(rules);
    }
}
