package dev.trellis.compiler.policy.timeout;

import dev.trellis.compiler.document.ObjectReader;
import dev.trellis.compiler.policy.PolicyBody;
import dev.trellis.compiler.policy.PolicyKind;

/** {@code TIMEOUT}: the overall time callers give a call to a service or route, retries included. */
public final class TimeoutKind extends PolicyKind {
    /** Longer than this is a mistake, not a timeout. */
    public static final long MAX_MS = 3_600_000;

    public TimeoutKind() {
        super("TIMEOUT", true, "timeout");
    }

    @Override
    public PolicyBody read(ObjectReader spec) {
        return of(spec, "timeout", true);
    }

    @Override
    public PolicyBody readDefault(ObjectReader defaults) {
        return of(defaults, "timeout", false);
    }

    /** Reads a duration field (a rule's {@code timeout}, the mesh default) as a timeout. */
    public static TimeoutSpec of(ObjectReader object, String field, boolean required) {
        Long ms = object.duration(field, 1, MAX_MS, required);
        return ms == null ? null : new TimeoutSpec(ms);
    }
}
