package dev.trellis.compiler.snapshot;

import java.util.List;

/**
 * @param attempts        total attempts including the first (1 = no retry)
 * @param perTryTimeoutMs timeout of each attempt, or 0 for none
 * @param retryOn         conditions: {@code 5xx}, {@code gateway-error} (502/503/504), {@code reset},
 *                        {@code connect-failure}, {@code retriable-4xx} (409), or a status code such as {@code 503}
 * @param backoffBaseMs   first backoff; doubles per retry with full jitter
 * @param backoffMaxMs    cap of the backoff
 * @param budgetPercent   retries may add at most this percentage on top of the request rate
 */
public record Retry(int attempts, long perTryTimeoutMs, List<String> retryOn, long backoffBaseMs, long backoffMaxMs,
                    int budgetPercent) {
    public Retry {
        retryOn = List.copyOf(retryOn);
    }
}
