package dev.trellis.compiler.document;

import java.util.Set;

/** HTTP methods a match or an access rule may name. */
public final class Methods {
    private static final Set<String> KNOWN = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT");

    private Methods() {
    }

    /** Why the method is refused, or null. */
    public static String problem(String method) {
        return KNOWN.contains(method) ? null : "must be an upper-case HTTP method such as GET or POST";
    }

    /** Why the path is refused as a path or path prefix, or null. */
    public static String pathProblem(String path) {
        return path.startsWith("/") ? null : "must start with /";
    }
}
