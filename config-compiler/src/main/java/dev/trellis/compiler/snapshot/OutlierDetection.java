package dev.trellis.compiler.snapshot;

/**
 * Passive health checking: an endpoint that fails {@code consecutiveErrors} times in a row is
 * ejected for {@code baseEjectionMs} × (times ejected), even while discovery still lists it.
 *
 * @param consecutiveErrors  errors (5xx, reset, timeout) in a row that eject an endpoint
 * @param baseEjectionMs     first ejection time
 * @param maxEjectionPercent never eject more than this share of a cluster's endpoints
 */
public record OutlierDetection(int consecutiveErrors, long baseEjectionMs, int maxEjectionPercent) {
}
