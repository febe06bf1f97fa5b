package dev.trellis.compiler.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * Request match. At most one of the path fields is set; every set field must match (AND).
 * An empty list means "any".
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Match(String pathExact, String pathPrefix, String pathRegex, List<String> methods,
                    List<HeaderMatch> headers, List<QueryMatch> query) {
    public Match {
        methods = methods == null ? List.of() : List.copyOf(methods);
        headers = headers == null ? List.of() : List.copyOf(headers);
        query = query == null ? List.of() : List.copyOf(query);
    }

    /** Matches every request. */
    public static Match any() {
        return new Match(null, "/", null, List.of(), List.of(), List.of());
    }

    /** A header condition: exactly one of exact, prefix, regex, or only {@code present}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HeaderMatch(String name, String exact, String prefix, String regex, Boolean present) {
    }

    /** A query parameter condition: exactly one of exact, regex, or only {@code present}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record QueryMatch(String name, String exact, String regex, Boolean present) {
    }
}
