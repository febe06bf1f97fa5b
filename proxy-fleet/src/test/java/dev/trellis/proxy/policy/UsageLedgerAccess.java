package dev.trellis.proxy.policy;

/** Lets tests of other packages count into a ledger as the route metrics filter does. */
public final class UsageLedgerAccess {
    private UsageLedgerAccess() {
    }

    public static void record(UsageLedger ledger, UsageLedger.Key key, int status, long micros, long in, long out,
                              int retries, boolean breakerRejected) {
        ledger.counters(key).record(status, micros, in, out, retries, breakerRejected);
    }

    public static void grpc(UsageLedger ledger, UsageLedger.Key key, int code) {
        ledger.counters(key).grpc(code);
    }
}
