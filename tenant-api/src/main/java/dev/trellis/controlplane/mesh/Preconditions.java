package dev.trellis.controlplane.mesh;

import java.util.Arrays;
import java.util.Optional;

/**
 * Conditional writes (RFC 9110 section 13). {@code If-Match} (or a {@code resourceVersion} sent in
 * the body) must name the current version; {@code If-None-Match: *} makes a PUT create-only, so a
 * client that means to create (Terraform's create) never overwrites what someone else made.
 */
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
        wanted = opaque(wanted);
        if (!wanted.equals(currentVersion)) throw new StaleResourceVersion(path, wanted, currentVersion);
    }

    /**
     * {@code If-None-Match}: {@code *} fails when the resource exists at all; a list of entity tags
     * fails when one of them is the current version (weak comparison, as the RFC asks).
     *
     * @throws ResourceExists when the condition does not hold
     */
    static void checkNoneMatch(String path, String ifNoneMatch, Optional<StoredResource> current) {
        if (ifNoneMatch == null || ifNoneMatch.isBlank() || current.isEmpty()) return;
        String currentVersion = Long.toString(current.get().resourceVersion());
        boolean matches = Arrays.stream(ifNoneMatch.split(","))
                .map(String::strip)
                .anyMatch(tag -> tag.equals("*") || opaque(tag).equals(currentVersion));
        if (matches) throw new ResourceExists(path, currentVersion);
    }

    private static String opaque(String entityTag) {
        String tag = entityTag.startsWith("W/") ? entityTag.substring(2) : entityTag;
        return tag.replace("\"", "");
    }
}
