package dev.trellis.proxy.routing;

import java.util.Locale;
import java.util.Map;

import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.proxy.exchange.ProxyExchange;
import dev.trellis.proxy.upstream.TcpUpstream;

/**
 * The routes of one applied snapshot, indexed by host, then by literal path: a request only tests
 * the rules of the service it addresses that can match its path, so a thousand routes cost about
 * what one does; {@code tcp} upstreams (and a {@code tcp} inbound side) have no HTTP rules, only
 * where their connections go. Immutable; a new snapshot
 * builds a new table and swaps it in whole.
 */
public record RoutingTable(Snapshot snapshot, Map<String, RuleIndex> outboundByHost, CompiledRule inbound,
                           Map<String, TcpUpstream> tcpByService, TcpUpstream inboundTcp) {

    /** Where connections to the {@code tcp} upstream {@code service} go, or null when the snapshot has none by that name. */
    public TcpUpstream tcp(String service) {
        return tcpByService.get(service);
    }

    /** Whether inbound connections are opaque TCP to the app (the snapshot's inbound protocol is {@code tcp}). */
    public boolean inboundIsTcp() {
        return inboundTcp != null;
    }

    /** The first rule of the addressed service that matches, or null. */
    CompiledRule outbound(ProxyExchange exchange) {
        String host = exchange.headers().get("host");
        if (host == null) return null;
        RuleIndex rules = outboundByHost.get(hostName(host));
        return rules == null ? null : rules.first(exchange);
    }

    /** The host without its port, lower case; IPv6 literals keep their brackets. */
    static String hostName(String host) {
        int colon = host.lastIndexOf(':');
        String name = colon > 0 && host.indexOf(']') < colon ? host.substring(0, colon) : host;
        for (int i = 0; i < name.length(); i++) {
            if (Character.isUpperCase(name.charAt(i))) return name.toLowerCase(Locale.ROOT);
        }
        return name;
    }
}
