package dev.trellis.compiler;

import java.util.Map;

/**
 * A request to simulate.
 *
 * @param source  the calling service (whose proxy routes the request)
 * @param host    the Host it addresses, e.g. {@code echo} or {@code echo.shop} (a port is ignored)
 * @param method  HTTP method
 * @param path    request path, without the query string
 * @param headers request headers (names are case-insensitive)
 * @param query   query parameters
 */
public record SimulatedRequest(String source, String host, String method, String path, Map<String, String> headers,
                               Map<String, String> query) {
    public SimulatedRequest {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        query = query == null ? Map.of() : Map.copyOf(query);
    }
}
