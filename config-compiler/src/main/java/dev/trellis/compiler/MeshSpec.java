package dev.trellis.compiler;

import dev.trellis.compiler.policy.PolicyBody;
import dev.trellis.compiler.snapshot.MtlsMode;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A mesh document: {@code {"mtls": "STRICT", "defaults": {...}, "analysis": {"maxRetryAmplification": 10}}}.
 *
 * @param mtls                  mTLS mode; PERMISSIVE when not given
 * @param defaults              mesh-wide policy defaults by field of {@code defaults} ({@code timeout},
 *                              {@code retry}, {@code circuitBreaker}, {@code outlierDetection}, {@code loadBalancer})
 * @param maxRetryAmplification the retry amplification bound set by the tenant, or null to warn above
 *                              {@link #DEFAULT_RETRY_AMPLIFICATION}; exceeding a bound the tenant set is an error
 */
public record MeshSpec(MtlsMode mtls, SortedMap<String, PolicyBody> defaults, Integer maxRetryAmplification) {
    /** The bound above which retry amplification is warned about when the mesh sets none. */
    public static final int DEFAULT_RETRY_AMPLIFICATION = 10;

    public MeshSpec {
        defaults = Collections.unmodifiableSortedMap(new TreeMap<>(defaults));
    }

    /** A mesh with this mTLS mode and nothing else declared. */
    public static MeshSpec of(MtlsMode mtls) {
        return new MeshSpec(mtls, new TreeMap<>(), null);
    }
}
