package dev.trellis.proxy.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the proxy served since the last usage report, per direction, route rule, upstream and caller.
 * The request path only adds: {@link LongAdder}s (striped, no lock) and an HdrHistogram
 * {@link Recorder} (wait-free for writers). {@link #drain()} takes each key's counts since the
 * previous drain; a request counted while a drain runs lands in this window or the next, never in
 * neither. Connections are counted per listener direction.
 *
 * <p>A key that served nothing for {@link #IDLE_DRAINS} drains in a row leaves the ledger, its recorder
 * with it: that is what becomes of the keys of rules a new snapshot dropped, after their last report.
 * A filter still holding a dropped key's counters (its rule is alive but was idle) puts them back at
 * its next request, so nothing it counts is lost: the drain marks the counters dropped before it
 * removes them and looks at their counts after, and a writer looks at the mark after it counted.
 */
public final class UsageLedger {
    /**
     * Latency is recorded in microseconds, two significant digits (about 1% error), auto-resizing: a
     * key's recorder grows to cover the largest latency seen, about 20 KB for latencies up to a second.
     * (HdrHistogram's packed recorder would be far smaller, but it lost counts under concurrent
     * writers in {@code UsageLedgerTest}.) A key gets its recorder at its first request, and a drain
     * sends only keys that served one.
     */
    static final int LATENCY_DIGITS = 2;
    static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    /** gRPC status codes 0–16 (OK … UNAUTHENTICATED); a code above 16 is counted as UNKNOWN (2). */
    static final int GRPC_CODES = dev.trellis.compiler.snapshot.GrpcStatus.NAMES.size();
    /** Drains in a row without a request after which a key is dropped (30 s at the default interval). */
    static final int IDLE_DRAINS = 3;

    /** A row of the report: {@code caller} is the SPIFFE identity of an inbound caller, else null. */
    public record Key(String direction, String rule, String upstream, String caller) {
    }

    /** One key's counters; held by the route's metrics filter, so the request path does no map lookup. */
    static final class Counters {
        private final UsageLedger ledger;
        private final Key key;
        /** Set by a drain that dropped these counters from the ledger; the next request puts them back. */
        private volatile boolean dropped;
        /** Drains in a row that found nothing here (drains run one at a time). */
        private int idleDrains;
        final LongAdder[] byClass = new LongAdder[CLASSES.length];
        final LongAdder bytesIn = new LongAdder();
        final LongAdder bytesOut = new LongAdder();
        final LongAdder retries = new LongAdder();
        final LongAdder breakerRejections = new LongAdder();
        /** gRPC calls by grpc-status, made at the key's first gRPC call (most keys never carry one). */
        private volatile LongAdder[] grpc;
        /**
         * Made at the key's first request: a route table builds a key for every rule it holds, and a
         * recorder (two histograms) per rule that never serves would cost kilobytes each — with a
         * 1,000-rule snapshot, most of a lean proxy's heap.
         */
        private volatile Recorder latencyMicros;

        Counters(UsageLedger ledger, Key key) {
            this.ledger = ledger;
            this.key = key;
            for (int i = 0; i < byClass.length; i++) byClass[i] = new LongAdder();
        }

        /** Whether a request was counted here since the last drain (every request adds to a status class first). */
        boolean counted() {
            for (LongAdder n : byClass) if (n.sum() != 0) return true;
            LongAdder[] byCode = grpc;
            if (byCode != null) for (LongAdder n : byCode) if (n.sum() != 0) return true;
            return false;
        }

        Recorder latency() {
            Recorder recorder = latencyMicros;
            if (recorder != null) return recorder;
            synchronized (this) {
                if (latencyMicros == null) latencyMicros = new Recorder(LATENCY_DIGITS);
                return latencyMicros;
            }
        }

        /** The latencies since the previous call, or null if this key never recorded one (nothing is allocated). */
        Histogram latencySinceLastDrain() {
            Recorder recorder = latencyMicros;
            return recorder == null ? null : recorder.getIntervalHistogram();
        }

        /**
         * A gRPC call this key answered with {@code code} in its grpc-status. Only answers below HTTP 500
         * are counted here: a 5xx is a failure by its status class already, and is not counted twice.
         */
        void grpc(int code) {
            LongAdder[] byCode = grpc;
            if (byCode == null) {
                synchronized (this) {
                    byCode = grpc;
                    if (byCode == null) {
                        byCode = new LongAdder[GRPC_CODES];
                        for (int i = 0; i < byCode.length; i++) byCode[i] = new LongAdder();
                        grpc = byCode;
                    }
                }
            }
            byCode[code >= 0 && code < GRPC_CODES ? code : 2].increment();
            if (dropped) ledger.restore(this);
        }

        /** The gRPC calls since the previous call, by code; null when this key never carried one. */
        long[] grpcSinceLastDrain() {
            LongAdder[] byCode = grpc;
            if (byCode == null) return null;
            long[] counts = new long[GRPC_CODES];
            for (int i = 0; i < counts.length; i++) counts[i] = byCode[i].sumThenReset();
            return counts;
        }

        void record(int status, long micros, long in, long out, int retried, boolean breakerRejected) {
            byClass[Math.min(Math.max(status / 100 - 1, 0), CLASSES.length - 1)].increment();
            latency().recordValue(Math.max(micros, 0));
            if (in > 0) bytesIn.add(in);
            if (out > 0) bytesOut.add(out);
            if (retried > 0) retries.add(retried);
            if (breakerRejected) breakerRejections.increment();
            if (dropped) ledger.restore(this);
        }
    }

    /**
     * One key's counts over one window; {@code requests} by status class ("2xx" → n); {@code grpcByCode}
     * the gRPC calls answered below HTTP 500 by grpc-status code, or null when the key carried none.
     */
    public record Row(Key key, long[] requestsByClass, long bytesIn, long bytesOut, long retries, long breakerRejections,
                      Histogram latencyMicros, long[] grpcByCode) {
        public long requests() {
            long total = 0;
            for (long n : requestsByClass) total += n;
            return total;
        }
    }

    /** Connections accepted by each listener during a window, and open at its end. */
    public record Connections(long inboundOpened, long outboundOpened, long inboundActive, long outboundActive) {
    }

    private final ConcurrentHashMap<Key, Counters> counters = new ConcurrentHashMap<>();
    /** Dropped counters put back while the ledger already had others for their key: drained with them. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Counters> strays = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final LongAdder inboundOpened = new LongAdder();
    private final LongAdder outboundOpened = new LongAdder();
    private final LongAdder inboundActive = new LongAdder();
    private final LongAdder outboundActive = new LongAdder();

    public UsageLedger() {
        // Loads and exercises the recording path once at start-up, so that the first request's answer,
        // which is counted before it is written, does not wait for class loading.
        Counters warmUp = new Counters(this, new Key("outbound", "warm-up", "warm-up", null));
        for (int i = 0; i < 1000; i++) warmUp.record(200, 1 + i * 997L, 1, 1, 0, false);
        warmUp.latencySinceLastDrain();
    }

    Counters counters(Key key) {
        return counters.computeIfAbsent(key, k -> new Counters(this, k));
    }

    /** How many keys the ledger holds (tests). */
    int keys() {
        return counters.size() + strays.size();
    }

    private void restore(Counters dropped) {
        synchronized (dropped) {
            if (!dropped.dropped) return;
            dropped.dropped = false;
            Counters present = counters.putIfAbsent(dropped.key, dropped);
            if (present != null && present != dropped) strays.add(dropped);
        }
    }

    /** Drops idle counters; any request counted meanwhile puts them back (here, or by its writer). */
    private void drop(Counters idle, boolean stray) {
        // Marked and removed under the counters' lock: a writer's restore between the mark and the removal
        // would find its counters still in the map, clear the mark, and leave them removed and unmarked,
        // so every later count was lost (UsageLedgerTest lost 3,500 of 10,000 once).
        synchronized (idle) {
            idle.dropped = true;
            if (stray) strays.remove(idle);
            else counters.remove(idle.key, idle);
        }
        if (idle.counted()) restore(idle);
    }

    /** A connection accepted on the inbound or outbound listener; {@code closed} runs when it ends. */
    public Runnable connectionOpened(boolean inbound) {
        (inbound ? inboundOpened : outboundOpened).increment();
        LongAdder active = inbound ? inboundActive : outboundActive;
        active.increment();
        return active::decrement;
    }

    /** Every key's counts since the previous drain; keys without a request in the window are left out. */
    public synchronized List<Row> drain() {
        List<Row> rows = new ArrayList<>();
        counters.forEach((key, c) -> drain(c, rows, false));
        for (Counters stray : List.copyOf(strays)) drain(stray, rows, true);
        return rows;
    }

    private void drain(Counters c, List<Row> rows, boolean stray) {
        Key key = c.key;
        long[] byClass = new long[CLASSES.length];
        long total = 0;
        for (int i = 0; i < byClass.length; i++) total += byClass[i] = c.byClass[i].sumThenReset();
        Histogram latency = c.latencySinceLastDrain();
        long in = c.bytesIn.sumThenReset();
        long out = c.bytesOut.sumThenReset();
        long retries = c.retries.sumThenReset();
        long rejected = c.breakerRejections.sumThenReset();
        long[] grpc = c.grpcSinceLastDrain();
        long calls = 0;
        if (grpc != null) for (long n : grpc) calls += n;
        // A request recorded while this drain reads its counters may leave only some of its counts
        // here (the rest go to the next window): a row with any count is kept, so none is lost.
        long latencies = latency == null ? 0 : latency.getTotalCount();
        if (total > 0 || latencies > 0 || in > 0 || out > 0 || retries > 0 || rejected > 0 || calls > 0) {
            rows.add(new Row(key, byClass, in, out, retries, rejected, latency != null ? latency : new Histogram(LATENCY_DIGITS),
                    calls > 0 ? grpc : null));
            c.idleDrains = 0;
        } else if (++c.idleDrains >= IDLE_DRAINS) {
            drop(c, stray);
        }
    }

    public Connections drainConnections() {
        return new Connections(inboundOpened.sumThenReset(), outboundOpened.sumThenReset(), inboundActive.sum(), outboundActive.sum());
    }

    /** The status classes, in the order of {@link Row#requestsByClass()}. */
    public static String statusClass(int index) {
        return CLASSES[index];
    }
}
