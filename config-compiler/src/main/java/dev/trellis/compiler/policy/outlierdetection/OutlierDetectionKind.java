package dev.trellis.compiler.policy.outlierdetection;

import dev.trellis.compiler.document.ObjectReader;
import dev.trellis.compiler.policy.PolicyBody;
import dev.trellis.compiler.policy.PolicyKind;
import dev.trellis.compiler.snapshot.OutlierDetection;

/** {@code OUTLIER_DETECTION}: callers eject endpoints of a service that fail in a row. Service targets only. */
public final class OutlierDetectionKind extends PolicyKind {
    public OutlierDetectionKind() {
        super("OUTLIER_DETECTION", false, "outlierDetection");
    }

    @Override
    public PolicyBody read(ObjectReader spec) {
        Integer errors = spec.integer("consecutiveErrors", 1, 1_000, false);
        Long base = spec.duration("baseEjectionTime", 1_000, 3_600_000, false);
        Integer max = spec.integer("maxEjectionPercent", 0, 100, false);
        return new OutlierDetectionSpec(new OutlierDetection(errors == null ? 5 : errors, base == null ? 30_000 : base,
                max == null ? 10 : max));
    }
}
