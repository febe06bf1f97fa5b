package dev.trellis.compiler.policy;

import dev.trellis.compiler.document.ObjectReader;

/** One kind of policy ({@code RETRY}, {@code ACCESS}…): how its spec is read and where it may apply. */
public abstract class PolicyKind {
    private final String name;
    private final boolean allowsRouteTarget;
    private final String defaultsField;

    /**
     * @param name              the {@code kind} value of the API document, e.g. {@code "RETRY"}
     * @param allowsRouteTarget whether a policy of this kind may target one route, not only a whole service
     * @param defaultsField     the field of the mesh's {@code defaults} that holds this kind's default, or null
     */
    protected PolicyKind(String name, boolean allowsRouteTarget, String defaultsField) {
        this.name = name;
        this.allowsRouteTarget = allowsRouteTarget;
        this.defaultsField = defaultsField;
    }

    /** The {@code kind} value of the API document, e.g. {@code "RETRY"}. */
    public final String name() {
        return name;
    }

    /** Whether a policy of this kind may target one route of a service, not only the whole service. */
    public final boolean allowsRouteTarget() {
        return allowsRouteTarget;
    }

    /** The field of the mesh's {@code defaults} that holds this kind's default, or null if it has none. */
    public final String defaultsField() {
        return defaultsField;
    }

    /** Whether several policies of this kind may target the same thing (their rules add up) instead of conflicting. */
    public boolean combines() {
        return false;
    }

    /** Reads and validates a {@code spec} object; returns null when it has violations (recorded by the reader). */
    public abstract PolicyBody read(ObjectReader spec);

    /** Reads this kind's default from the mesh's {@code defaults} object; by default the field holds a spec. */
    public PolicyBody readDefault(ObjectReader defaults) {
        return defaults.object(defaultsField, false, this::read);
    }
}
