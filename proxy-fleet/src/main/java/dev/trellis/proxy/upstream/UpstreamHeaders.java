package dev.trellis.proxy.upstream;

import java.util.HashMap;
import java.util.Map;

import org.springframework.web.server.ServerWebExchange;

/**
 * Headers a filter wants on the upstream request (traceparent, the verified peer identity). Kept
 * as an exchange attribute and applied once when the upstream request is built, instead of
 * mutating the exchange, which copies every request header per filter.
 */
public final class UpstreamHeaders {
    private static final String ATTRIBUTE = UpstreamHeaders.class.getName();

    private UpstreamHeaders() {
    }

    /** Sets {@code name} to {@code value} on the upstream request, or removes it when value is null. */
    public static void set(ServerWebExchange exchange, String name, String value) {
        Map<String, String> headers = exchange.getAttribute(ATTRIBUTE);
        if (headers == null) {
            headers = new HashMap<>(4);
            exchange.getAttributes().put(ATTRIBUTE, headers);
        }
        headers.put(name, value);
    }

    static Map<String, String> of(ServerWebExchange exchange) {
        Map<String, String> headers = exchange.getAttribute(ATTRIBUTE);
        return headers == null ? Map.of() : headers;
    }
}
