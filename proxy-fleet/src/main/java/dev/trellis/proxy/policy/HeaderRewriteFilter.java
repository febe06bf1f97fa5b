package dev.trellis.proxy.policy;

import dev.trellis.compiler.snapshot.HeaderRewrite;
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
        ServerWebExchange rewritten = exchange.mutate().request(r -> {
            r.headers(h -> {
                rewrite.requestRemove().forEach(h::remove);
                rewrite.requestSet().forEach(h::set);
            });
            if (rewritePath) r.path(joined(rewrite.prefixRewrite(), path.substring(matchedPrefix.length())));
        }).build();
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
