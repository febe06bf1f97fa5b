package dev.trellis.proxy.policy;

import dev.trellis.compiler.snapshot.HeaderRewrite;
import dev.trellis.proxy.upstream.UpstreamHeaders;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Sets and removes request and response headers, and replaces the matched path prefix when asked. */
final class HeaderRewriteFilter implements GatewayFilter, Ordered {
    private final HeaderRewrite rewrite;
    private final String matchedPrefix;

    HeaderRewriteFilter(HeaderRewrite rewrite, String matchedPrefix) {
        this.rewrite = rewrite;
        this.matchedPrefix = matchedPrefix;
    }

    @Override
    public int getOrder() {
        return 5;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        String path = exchange.getRequest().getPath().value();
        boolean rewritePath = rewrite.prefixRewrite() != null && matchedPrefix != null && path.startsWith(matchedPrefix);
        rewrite.requestRemove().forEach(name -> UpstreamHeaders.set(exchange, name, null));
        rewrite.requestSet().forEach((name, value) -> UpstreamHeaders.set(exchange, name, value));
        ServerWebExchange rewritten = rewritePath
                ? exchange.mutate().request(r -> r.path(joined(rewrite.prefixRewrite(), path.substring(matchedPrefix.length())))).build()
                : exchange;
        if (!rewrite.responseSet().isEmpty() || !rewrite.responseRemove().isEmpty()) {
            rewritten.getResponse().beforeCommit(() -> {
                HttpHeaders headers = rewritten.getResponse().getHeaders();
                rewrite.responseRemove().forEach(headers::remove);
                rewrite.responseSet().forEach(headers::set);
                return Mono.empty();
            });
        }
        return chain.filter(rewritten);
    }

    private static String joined(String prefix, String rest) {
        if (prefix.endsWith("/") && rest.startsWith("/")) return prefix + rest.substring(1);
        String path = prefix + rest;
        return path.isEmpty() ? "/" : path.startsWith("/") ? path : "/" + path;
    }
}
