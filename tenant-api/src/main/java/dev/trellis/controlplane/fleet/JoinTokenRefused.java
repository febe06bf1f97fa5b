package dev.trellis.controlplane.fleet;

/** A join token that is unknown, expired, already used or malformed; which one is not told. Maps to 401. */
class JoinTokenRefused extends RuntimeException {
    JoinTokenRefused() {
        super("the join token is unknown, expired or already used", null, false, false);
    }
}
