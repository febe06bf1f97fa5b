package dev.trellis.compiler.snapshot;

/**
 * Fault injection. Percentages are 0–100 with decimals allowed.
 *
 * @param delayMs      delay added to the delayed requests
 * @param delayPercent share of requests delayed
 * @param abortStatus  HTTP status returned to aborted requests
 * @param abortPercent share of requests aborted
 */
public record Fault(long delayMs, double delayPercent, int abortStatus, double abortPercent) {
}
