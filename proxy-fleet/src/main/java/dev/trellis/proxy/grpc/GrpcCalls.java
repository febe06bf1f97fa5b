package dev.trellis.proxy.grpc;

import dev.trellis.compiler.snapshot.GrpcStatus;

import java.util.concurrent.TimeUnit;

/**
 * What the proxy reads and writes of gRPC's wire protocol (its PROTOCOL-HTTP2 document): a call's
 * deadline ({@code grpc-timeout}) and the {@code grpc-status} of an answer the proxy gives itself,
 * since a gRPC client reads the status there, not in the HTTP status.
 */
public final class GrpcCalls {
    private GrpcCalls() {
    }


    /** The {@code grpc-status} in {@code headers} (an answer's trailers, or the head of a trailers-only one); -1 when absent or malformed. */
    public static int status(io.netty.handler.codec.http.HttpHeaders headers) {
        String value = headers.get("grpc-status");
        if (value == null || value.isEmpty() || value.length() > 2) return -1;
        int code = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') return -1;
            code = code * 10 + (c - '0');
        }
        return code;
    }

    /** A code's name (the metrics' {@code grpc_status} tag). */
    public static String name(int code) {
        return GrpcStatus.name(code);
    }

    /** Whether a status says the server failed rather than the call being wrong ({@link GrpcStatus#serverFailure}). */
    public static boolean serverFailure(int code) {
        return GrpcStatus.serverFailure(code);
    }

    /** Whether a request with this {@code content-type} is a gRPC call. */
    public static boolean isGrpc(String contentType) {
        return contentType != null && contentType.regionMatches(true, 0, "application/grpc", 0, 16);
    }

    /** {@code grpc-timeout} (1 to 8 digits and a unit: H M S m u n) in nanoseconds; -1 when absent or malformed. */
    public static long timeoutNanos(String header) {
        if (header == null || header.length() < 2 || header.length() > 9) return -1;
        long value = 0;
        for (int i = 0; i < header.length() - 1; i++) {
            char c = header.charAt(i);
            if (c < '0' || c > '9') return -1;
            value = value * 10 + (c - '0');
        }
        TimeUnit unit = switch (header.charAt(header.length() - 1)) {
            case 'H' -> TimeUnit.HOURS;
            case 'M' -> TimeUnit.MINUTES;
            case 'S' -> TimeUnit.SECONDS;
            case 'm' -> TimeUnit.MILLISECONDS;
            case 'u' -> TimeUnit.MICROSECONDS;
            case 'n' -> TimeUnit.NANOSECONDS;
            default -> null;
        };
        return unit == null ? -1 : unit.toNanos(value);
    }

    /**
     * The {@code grpc-status} for one of the proxy's own answers: its timeouts are the call's deadline
     * passing, its rate limit an exhausted resource; other statuses as gRPC maps HTTP statuses.
     */
    public static int status(int httpStatus, String reason) {
        if (reason.endsWith("timeout")) return 4; // DEADLINE_EXCEEDED
        if (httpStatus == 429) return 8; // RESOURCE_EXHAUSTED
        return switch (httpStatus) {
            case 400 -> 13; // INTERNAL
            case 401 -> 16; // UNAUTHENTICATED
            case 403 -> 7; // PERMISSION_DENIED
            case 404 -> 12; // UNIMPLEMENTED
            case 502, 503, 504 -> 14; // UNAVAILABLE
            default -> 2; // UNKNOWN
        };
    }
}
