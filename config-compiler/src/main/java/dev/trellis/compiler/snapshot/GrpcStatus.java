package dev.trellis.compiler.snapshot;

import java.util.List;

/**
 * gRPC's status codes (its statuscodes document), as the proxy reads them from {@code grpc-status} and
 * the control plane stores them: one table, so a usage report's names and a success rate's failures
 * mean the same on both sides.
 */
public final class GrpcStatus {
    private GrpcStatus() {
    }

    /** The names by code, 0 (OK) to 16 (UNAUTHENTICATED). */
    public static final List<String> NAMES = List.of("OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
            "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
            "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED");

    /** A code's name; {@code CODE_<n>} for a code gRPC does not define. */
    public static String name(int code) {
        return code >= 0 && code < NAMES.size() ? NAMES.get(code) : "CODE_" + code;
    }

    /**
     * Whether a status says the server failed rather than the call being wrong: UNKNOWN,
     * DEADLINE_EXCEEDED, INTERNAL, UNAVAILABLE, DATA_LOSS (those gRPC maps from HTTP 5xx, less
     * UNIMPLEMENTED, which is the caller's mistake). Breakers, outlier ejection and success rates
     * count these as failures, as they count a 5xx.
     */
    public static boolean serverFailure(int code) {
        return code == 2 || code == 4 || code == 13 || code == 14 || code == 15;
    }
}
