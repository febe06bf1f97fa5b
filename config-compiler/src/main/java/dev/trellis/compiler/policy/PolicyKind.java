package dev.trellis.compiler.policy;

import dev.trellis.compiler.document.ObjectReader;

/** One kind of policy ({@code RETRY}, {@code ACCESS}…): how its spec is read and where it may apply. */
public interface PolicyKind {
    /** The {@code kind} value of the API document, e.g. {@code "RETRY"}. */
    String name();

    /** Whether a policy of this kind may target one route of a service, not only the whole service. */
    boolean allowsRouteTarget();

    /** Whether several policies of this kind may target the same thing (their rules add up) instead of conflicting. */
    default boolean combines() {
        return false;
    }

    /** Reads and validates a {@code spec} object; returns null when it has violations (recorded by the reader). */
    PolicyBody read(ObjectReader spec);

    /** The field of the mesh's {@code defaults} that holds this kind's default, or null if it has none. */
    default String defaultsField() {
        return null;
    }

    /** Reads this kind's default from the mesh's {@code defaults} object; by default the field holds a spec. */
    default PolicyBody readDefault(ObjectReader defaults) {
        return defaults.object(defaultsField(), false, this::read);
    }
}
