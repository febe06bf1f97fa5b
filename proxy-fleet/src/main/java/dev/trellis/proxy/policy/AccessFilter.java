package dev.trellis.proxy.policy;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.proxy.ProxyAnswer;
import dev.trellis.proxy.tls.SpiffeId;
import dev.trellis.proxy.upstream.UpstreamHeaders;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Inbound access control against the caller's SPIFFE ID from its mTLS certificate: a matching DENY
 * wins, then a matching ALLOW, else the default; refused calls get 403. The app receives the
 * verified identity in {@code x-trellis-peer-identity}; a caller-supplied value is never passed on.
 */
final class AccessFilter implements GatewayFilter, Ordered {
    static final String PEER_HEADER = "x-trellis-peer-identity";

    private final AccessControl access;

    AccessFilter(AccessControl access) {
        this.access = access;
    }

    @Override
    public int getOrder() {
        return 2;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        SslInfo ssl = exchange.getRequest().getSslInfo();
        String identity = ssl == null ? null : SpiffeId.of(ssl.getPeerCertificates());
        if (!allowed(identity, exchange.getRequest().getPath().value(), exchange.getRequest().getMethod().name())) {
            return ProxyAnswer.write(exchange, 403, "x-trellis-error", "access denied");
        }
        UpstreamHeaders.set(exchange, PEER_HEADER, identity);
        return chain.filter(exchange);
    }

    boolean allowed(String identity, String path, String method) {
        boolean allowed = false;
        for (AccessControl.AccessRule rule : access.rules()) {
            if (!applies(rule, identity, path, method)) continue;
            if (rule.action() == AccessControl.Action.DENY) return false;
            allowed = true;
        }
        return allowed || access.defaultAction() == AccessControl.Action.ALLOW;
    }

    private static boolean applies(AccessControl.AccessRule rule, String identity, String path, String method) {
        if (!rule.identities().isEmpty() && (identity == null || !rule.identities().contains(identity))) return false;
        if (!rule.methods().isEmpty() && !rule.methods().contains(method)) return false;
        return rule.paths().isEmpty() || rule.paths().stream().anyMatch(path::startsWith);
    }
}
