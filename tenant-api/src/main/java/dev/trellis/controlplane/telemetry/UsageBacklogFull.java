package dev.trellis.controlplane.telemetry;

/**
 * A usage report refused because too many of its tenant's reports already wait to be written on this
 * replica ({@link UsageIngest#MAX_WAITING}): answered 503 with {@code Retry-After}, and the proxy
 * resends it from its backlog.
 */
final class UsageBacklogFull extends RuntimeException {
    UsageBacklogFull() {
        super("too many usage reports are waiting to be written", null, false, false);
    }
}
