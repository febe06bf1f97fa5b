package dev.trellis.compiler.snapshot;

/** Local token bucket: {@code requestsPerSecond} refill, up to {@code burst} tokens; excess gets 429 with Retry-After. */
public record RateLimit(double requestsPerSecond, int burst) {
}
