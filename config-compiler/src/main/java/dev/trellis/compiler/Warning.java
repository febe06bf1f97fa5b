package dev.trellis.compiler;

import java.util.List;

/**
 * A finding of the whole-mesh analysis that does not block a write.
 *
 * @param code      {@code RETRY_AMPLIFICATION}, {@code TIMEOUT_BUDGET}, {@code SHADOWED_RULE},
 *                  {@code VERSION_WITHOUT_ENDPOINTS}, {@code ACCESS_LOCKOUT} or {@code UNREACHABLE_VERSION}
 * @param message   what was found and why it matters
 * @param resources the resources involved, e.g. {@code ["routes/a", "services/b"]}
 */
public record Warning(String code, String message, List<String> resources) {
    public Warning {
        resources = List.copyOf(resources);
    }
}
