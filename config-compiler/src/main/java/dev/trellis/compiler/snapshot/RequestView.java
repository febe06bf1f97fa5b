package dev.trellis.compiler.snapshot;

import java.util.List;

/**
 * How {@link CompiledMatch} reads a request of type {@code R}: the proxy's exchange, or a request
 * given to {@code /simulate}. A view is a stateless singleton, so matching allocates no adapter.
 *
 * @param <R> the request type
 */
public interface RequestView<R> {
    String method(R request);

    /** The path, without the query string. */
    String path(R request);

    /** Every value of the header, whose name is given in lower case; empty (or null) when absent. */
    List<String> headerValues(R request, String name);

    /** Every value of the query parameter ({@code ""} for {@code ?flag}); empty (or null) when absent. */
    List<String> queryValues(R request, String name);
}
