package dev.trellis.proxy.upstream;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The snapshot's {@code retryOn} list, parsed once per rule. */
record RetryConditions(boolean any5xx, boolean gatewayError, boolean reset, boolean connectFailure,
                       boolean retriable4xx, Set<Integer> statuses, Set<Integer> grpcStatuses) {
    /** The gRPC conditions of {@code retryOn} and the {@code grpc-status} each stands for. */
    private static final java.util.Map<String, Integer> GRPC = java.util.Map.of(
            "cancelled", 1, "deadline-exceeded", 4, "resource-exhausted", 8, "unavailable", 14);

    static RetryConditions of(List<String> retryOn) {
        Set<Integer> statuses = new HashSet<>();
        Set<Integer> grpc = new HashSet<>();
        for (String condition : retryOn) {
            if (condition.chars().allMatch(Character::isDigit) && !condition.isEmpty()) statuses.add(Integer.parseInt(condition));
            if (GRPC.containsKey(condition)) grpc.add(GRPC.get(condition));
        }
        return new RetryConditions(retryOn.contains("5xx"), retryOn.contains("gateway-error"), retryOn.contains("reset"),
                retryOn.contains("connect-failure"), retryOn.contains("retriable-4xx"), Set.copyOf(statuses),
                Set.copyOf(grpc));
    }

    boolean matches(int status) {
        return any5xx && status >= 500
                || gatewayError && (status == 502 || status == 503 || status == 504)
                || retriable4xx && status == 409
                || statuses.contains(status);
    }

    /** Whether a gRPC answer's {@code grpc-status} (known before anything reached the caller) is one to retry on. */
    boolean matchesGrpc(int grpcStatus) {
        return grpcStatus >= 0 && grpcStatuses.contains(grpcStatus);
    }

    /** As in Envoy, {@code 5xx} and {@code gateway-error} also cover failures that produced no response. */
    boolean matches(AttemptFailure.Kind kind) {
        return switch (kind) {
            case CONNECT -> connectFailure || any5xx || gatewayError;
            case RESET -> reset || any5xx || gatewayError;
            case PER_TRY_TIMEOUT -> any5xx || gatewayError || reset;
            default -> false;
        };
    }
}
