package dev.trellis.proxy.upstream;

/** Why an attempt produced no upstream response; carries the status and header the caller gets. */
final class AttemptFailure extends RuntimeException {

    enum Kind {
        CONNECT(503, "connect-failure"),
        RESET(502, "reset"),
        PER_TRY_TIMEOUT(504, "per-try-timeout"),
        TIMEOUT(504, "timeout"),
        CIRCUIT_OPEN(503, "circuit-open"),
        OVERLOADED(503, "overloaded"),
        NO_ENDPOINT(503, "no-healthy-endpoint");

        final int status;
        final String reason;

        Kind(int status, String reason) {
            this.status = status;
            this.reason = reason;
        }
    }

    final Kind kind;

    AttemptFailure(Kind kind, String detail) {
        super(kind.reason + ": " + detail, null, false, false);
        this.kind = kind;
    }
}
