package dev.trellis.compiler.policy.outlierdetection;

import dev.trellis.compiler.policy.PolicyBody;
import dev.trellis.compiler.policy.PolicyLevel;
import dev.trellis.compiler.policy.PolicySlots;
import dev.trellis.compiler.snapshot.OutlierDetection;

/** An {@code OUTLIER_DETECTION} policy's spec, compiled onto the service's clusters in every caller. */
public record OutlierDetectionSpec(OutlierDetection detection) implements PolicyBody {
    @Override
    public void applyTo(PolicyLevel level, PolicySlots slots) {
        slots.outlierDetection = detection;
    }
}
