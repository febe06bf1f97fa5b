package dev.trellis.compiler.snapshot;

/**
 * Resilience4j-style breaker per cluster.
 *
 * @param failureRatePercent    open when this share of calls in the window failed
 * @param slowCallMs            calls slower than this count as slow, or 0 to ignore
 * @param slowCallRatePercent   open when this share of calls is slow
 * @param minimumCalls          calls needed in the window before the rates count
 * @param windowSize            sliding window size, in calls
 * @param openMs                how long it stays open before letting probes through
 * @param maxConcurrentRequests concurrent calls allowed, or 0 for no limit
 */
public record CircuitBreaker(int failureRatePercent, long slowCallMs, int slowCallRatePercent, int minimumCalls,
                             int windowSize, long openMs, int maxConcurrentRequests) {
}
