package dev.trellis.controlplane.mesh;

import java.util.Optional;

/** Optimistic concurrency: {@code If-Match} (or a {@code resourceVersion} sent in the body) must name the current version. */
final class Preconditions {
    private Preconditions() {
    }

    /** @throws StaleResourceVersion when the expected version is not the current one (or the resource is missing) */
    static void check(String path, String expected, Optional<StoredResource> current) {
        if (expected == null || expected.isBlank()) return;
        String currentVersion = current.map(r -> Long.toString(r.resourceVersion())).orElse("none");
        String wanted = expected.strip();
        if (wanted.equals("*")) {
            if (current.isEmpty()) throw new StaleResourceVersion(path, "*", currentVersion);
            return;
        }
        if (wanted.startsWith("W/")) wanted = wanted.substring(2);
        wanted = wanted.replace("\"", "");
        if (!wanted.equals(currentVersion)) throw new StaleResourceVersion(path, wanted, currentVersion);
    }
}
