package dev.trellis.compiler;

import java.util.List;

/**
 * What changes for the proxies of one service between two compiles.
 *
 * @param service     the service whose proxies are affected
 * @param kind        whether its snapshot appears, disappears or changes
 * @param fromVersion the version before, or null when added
 * @param toVersion   the version after, or null when removed
 * @param details     human-readable lines, e.g. {@code "upstream echo: rules changed"}
 */
public record SnapshotChange(String service, Kind kind, String fromVersion, String toVersion, List<String> details) {
    public SnapshotChange {
        details = List.copyOf(details);
    }

    /** How a snapshot changes. */
    public enum Kind { ADDED, REMOVED, CHANGED }
}
