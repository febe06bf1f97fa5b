package dev.trellis.compiler.policy.access;

import dev.trellis.compiler.snapshot.RequestPath;

/**
 * What an access rule's paths must look like: path-absolute and in the normal form proxies give
 * every request path ({@link RequestPath}), since a rule on any other spelling could never match.
 */
final class AccessPaths {
    private static final int MAX_LENGTH = 1024;

    private AccessPaths() {
    }

    /** Why {@code path} cannot be an exact path, or null. */
    static String problem(String path) {
        if (!path.startsWith("/")) return "must start with /";
        if (path.length() > MAX_LENGTH) return "must be at most " + MAX_LENGTH + " characters";
        if (path.indexOf('?') >= 0 || path.indexOf('#') >= 0) return "must be a path without query or fragment";
        String normal;
        try {
            normal = RequestPath.normalise(path, RequestPath.EscapedSlashes.REJECT);
        } catch (RequestPath.Rejected e) {
            return "must be a valid path: " + e.getMessage();
        }
        return normal.equals(path) ? null : "must be in normal form (" + normal + "): proxies normalise every request path"
                + " (dot segments removed, slashes merged, unreserved characters decoded) before they check it";
    }

    /** As {@link #problem}, for a prefix: also no wildcard, since the prefix already covers what lies under it. */
    static String prefixProblem(String path) {
        if (path.endsWith("*")) {
            return "must be a path without wildcard: " + path.substring(0, path.length() - 1).replaceFirst("/$", "")
                    + " already covers itself and everything under it";
        }
        return problem(path);
    }
}
