package dev.trellis.proxy.policy;

import dev.trellis.compiler.snapshot.HeaderRewrite;
import dev.trellis.proxy.exchange.ProxyExchange;
import dev.trellis.proxy.exchange.RequestPolicy;

/**
 * Sets and removes request and response headers, and replaces the matched path prefix when asked.
 * A rewrite that could break the wire (CR/LF in a value, a framing header) is refused when the
 * snapshot is applied, here as in the snapshot's own check, so it is never sent.
 */
final class HeaderRewriteFilter implements RequestPolicy {
    private final HeaderRewrite rewrite;
    private final String matchedPrefix;

    /** @throws IllegalArgumentException when the rewrite is unsafe ({@link HeaderRewrite#problems()}) */
    HeaderRewriteFilter(HeaderRewrite rewrite, String matchedPrefix) {
        if (!rewrite.problems().isEmpty()) throw new IllegalArgumentException(String.join("; ", rewrite.problems()));
        this.rewrite = rewrite;
        this.matchedPrefix = matchedPrefix;
    }

    @Override
    public void apply(ProxyExchange exchange) {
        String path = exchange.path();
        if (rewrite.prefixRewrite() != null && matchedPrefix != null && path.startsWith(matchedPrefix)) {
            exchange.upstreamPath(joined(rewrite.prefixRewrite(), path.substring(matchedPrefix.length())));
        }
        rewrite.requestRemove().forEach(exchange.headers()::remove);
        rewrite.requestSet().forEach(exchange.headers()::set);
        if (!rewrite.responseSet().isEmpty() || !rewrite.responseRemove().isEmpty()) {
            exchange.onResponse(headers -> {
                rewrite.responseRemove().forEach(headers::remove);
                rewrite.responseSet().forEach(headers::set);
            });
        }
        exchange.proceed();
    }

    private static String joined(String prefix, String rest) {
        if (prefix.endsWith("/") && rest.startsWith("/")) return prefix + rest.substring(1);
        String path = prefix + rest;
        return path.isEmpty() ? "/" : path.startsWith("/") ? path : "/" + path;
    }
}
