package dev.trellis.proxy.upstream;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The snapshot's {@code retryOn} list, parsed once per rule. */
record RetryConditions(boolean any5xx, boolean gatewayError, boolean reset, boolean connectFailure,
                       boolean retriable4xx, Set<Integer> statuses) {

    static RetryConditions of(List<String> retryOn) {
        Set<Integer> statuses = new HashSet<>();
        for (String condition : retryOn) {
            if (condition.chars().allMatch(Character::isDigit) && !condition.isEmpty()) statuses.add(Integer.parseInt(condition));
        }
        return new RetryConditions(retryOn.contains("5xx"), retryOn.contains("gateway-error"), retryOn.contains("reset"),
                retryOn.contains("connect-failure"), retryOn.contains("retriable-4xx"), Set.copyOf(statuses));
    }

    boolean matches(int status) {
        return any5xx && status >= 500
                || gatewayError && (status == 502 || status == 503 || status == 504)
                || retriable4xx && status == 409
                || statuses.contains(status);
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
