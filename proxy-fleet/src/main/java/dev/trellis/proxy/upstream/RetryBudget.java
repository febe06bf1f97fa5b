package dev.trellis.proxy.upstream;

/**
 * Caps retries at a share of the request rate (Finagle's and Linkerd's retry budget): every request
 * deposits {@code percent}/100 of a token, every retry withdraws one. A small reserve lets the first
 * requests of a quiet rule retry; under a total outage retries stay within the percentage instead of
 * multiplying the load by the attempt count.
 */
final class RetryBudget {
    private static final double RESERVE = 10;

    private final double deposit;
    private double balance = RESERVE;

    /** {@code percent} ≤ 0 means no budget: every allowed attempt may be used. */
    RetryBudget(int percent) {
        this.deposit = percent / 100.0;
    }

    synchronized void recordRequest() {
        if (deposit > 0) balance = Math.min(RESERVE + deposit, balance + deposit);
    }

    synchronized boolean tryRetry() {
        if (deposit <= 0) return true;
        if (balance < 1) return false;
        balance -= 1;
        return true;
    }
}
