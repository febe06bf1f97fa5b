package dev.trellis.proxy.fleet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.trellis.proxy.grpc.GrpcCalls;
import dev.trellis.proxy.policy.UsageLedger;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the {@link UsageLedger}'s counts to {@code POST /v1/fleet/usage} every {@code interval}
 * (windows aligned to multiples of it, so a 10 s window never straddles a minute) and once at
 * shutdown. Each report carries a sequence number that only grows, across restarts too (it is at
 * least the wall clock in milliseconds), so the control plane counts a resent report once.
 * Undelivered reports wait in a bounded backlog, oldest first; when it is full the oldest is dropped
 * and counted in {@code droppedReports} of the next report. A refusal for load (503 or 429) with
 * {@code Retry-After} has the backlog sent again after that long plus up to as long again at random
 * (so the proxies a busy replica refused at once do not all come back at once), when that is before
 * the next report is due; otherwise, and after any other failure, the backlog goes with the next report.
 */
final class UsageReporter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UsageReporter.class);

    /** Where a report goes: answers the HTTP status and the answer's Retry-After (null: none). */
    @FunctionalInterface
    interface Sender {
        Delivery send(Map<String, Object> report) throws IOException, InterruptedException;
    }

    /** What the control plane answered to a report. */
    record Delivery(int status, Duration retryAfter) {
        Delivery(ControlPlaneClient.Answer answer) {
            this(answer.status(), answer.retryAfter());
        }
    }

    private final UsageLedger ledger;
    private final Sender sender;
    private final Supplier<String> snapshotVersion;
    private final Supplier<String> proxyId;
    private final Duration interval;
    private final int backlogLimit;
    private final Instant started = Instant.now();
    private final AtomicLong sequence = new AtomicLong();
    private final ArrayDeque<Map<String, Object>> backlog = new ArrayDeque<>();
    private long dropped;
    private Instant windowStart = Instant.now();
    private volatile boolean running;
    private Thread loop;
    /** When the backlog is to be sent again because the control plane asked for it (epoch millis; 0: not asked). */
    private long retryAt;

    UsageReporter(UsageLedger ledger, Sender sender, Supplier<String> snapshotVersion, Supplier<String> proxyId,
                  Duration interval, int backlogLimit) {
        this.ledger = ledger;
        this.sender = sender;
        this.snapshotVersion = snapshotVersion;
        this.proxyId = proxyId;
        this.interval = interval;
        this.backlogLimit = Math.max(1, backlogLimit);
    }

    void start() {
        running = true;
        loop = Thread.ofVirtual().name("fleet-usage").start(this::run);
    }

    private void run() {
        while (running) {
            boolean resend;
            try {
                resend = awaitNext();
            } catch (InterruptedException e) {
                return;
            }
            if (!running) return;
            try {
                if (resend) resendBacklog();
                else reportNow();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("usage report failed; its counts stay in the backlog", e);
            }
        }
    }

    /**
     * Waits for the next multiple of the interval, or for an earlier resend the control plane asked for;
     * answers true for the resend.
     */
    private synchronized boolean awaitNext() throws InterruptedException {
        long millis = interval.toMillis();
        long now = System.currentTimeMillis();
        long tick = now + millis - Math.floorMod(now, millis);
        while (true) {
            long until = retryAt > 0 ? Math.min(tick, retryAt) : tick;
            now = System.currentTimeMillis();
            if (now >= until) {
                boolean resend = retryAt > 0 && retryAt < tick;
                retryAt = 0; // a tick sends the backlog anyway
                return resend;
            }
            wait(until - now);
        }
    }

    /** Sends the waiting reports, oldest first, without closing the current window. */
    synchronized void resendBacklog() throws InterruptedException {
        flush();
    }

    /** Closes the current window into a report and sends every waiting report, oldest first. */
    synchronized void reportNow() throws InterruptedException {
        enqueue(build(Instant.now()));
        flush();
    }

    /** Reports waiting to be delivered. */
    synchronized int backlog() {
        return backlog.size();
    }

    synchronized Map<String, Object> build(Instant end) {
        Map<String, Object> report = new LinkedHashMap<>();
        String id = proxyId.get();
        if (id != null) report.put("proxyId", id);
        report.put("sequence", sequence.updateAndGet(last -> Math.max(last + 1, System.currentTimeMillis())));
        report.put("windowStart", windowStart.toString());
        report.put("windowEnd", end.toString());
        report.put("uptimeSeconds", Duration.between(started, end).toMillis() / 1000.0);
        report.put("snapshotVersion", snapshotVersion.get());
        UsageLedger.Connections connections = ledger.drainConnections();
        report.put("connections", Map.of("inboundOpened", connections.inboundOpened(), "outboundOpened", connections.outboundOpened(),
                "inboundActive", connections.inboundActive(), "outboundActive", connections.outboundActive()));
        List<Map<String, Object>> routes = new ArrayList<>();
        for (UsageLedger.Row row : ledger.drain()) routes.add(route(row));
        report.put("routes", routes);
        windowStart = end;
        return report;
    }

    private static Map<String, Object> route(UsageLedger.Row row) {
        Map<String, Object> route = new LinkedHashMap<>();
        route.put("direction", row.key().direction());
        route.put("rule", row.key().rule());
        route.put("upstream", row.key().upstream());
        if (row.key().caller() != null) route.put("caller", row.key().caller());
        Map<String, Long> requests = new LinkedHashMap<>();
        long[] byClass = row.requestsByClass();
        for (int i = 0; i < byClass.length; i++) if (byClass[i] > 0) requests.put(UsageLedger.statusClass(i), byClass[i]);
        route.put("requests", requests);
        route.put("bytesIn", row.bytesIn());
        route.put("bytesOut", row.bytesOut());
        route.put("retries", row.retries());
        route.put("breakerRejections", row.breakerRejections());
        if (row.grpcByCode() != null) {
            Map<String, Long> grpc = new LinkedHashMap<>();
            long[] byCode = row.grpcByCode();
            for (int code = 0; code < byCode.length; code++) if (byCode[code] > 0) grpc.put(GrpcCalls.name(code), byCode[code]);
            route.put("grpc", grpc);
        }
        route.put("latencyMicros", encode(row.latencyMicros()));
        return route;
    }

    /**
     * An HdrHistogram in its plain V2 encoding, base64: what the control plane checks, stores and merges.
     * Not the compressed one: its counts are LEB128 words with runs of zeros folded already, so a route's
     * histogram deflates by about a quarter, and inflating it was 9 % of the control plane's samples in a profile
     * of the ingest bench (most of it zlib's per-stream table set-up), for some 70 more characters per route.
     */
    static String encode(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }

    private void enqueue(Map<String, Object> report) {
        while (backlog.size() >= backlogLimit) {
            backlog.removeFirst();
            dropped++;
        }
        backlog.addLast(report);
    }

    private void flush() throws InterruptedException {
        while (!backlog.isEmpty()) {
            Map<String, Object> next = backlog.peekFirst();
            if (dropped > 0) next.put("droppedReports", dropped);
            int status;
            Duration retryAfter;
            try {
                Delivery delivery = sender.send(next);
                status = delivery.status();
                retryAfter = delivery.retryAfter();
            } catch (IOException e) {
                log.warn("usage report {} not delivered ({}); {} waiting", next.get("sequence"), e.toString(), backlog.size());
                return;
            }
            if (status / 100 == 2) {
                if (next.containsKey("droppedReports")) dropped = 0;
                backlog.removeFirst();
            } else if (status == 400 || status == 413 || status == 422) {
                log.error("usage report {} refused ({}): dropped", next.get("sequence"), status);
                backlog.removeFirst();
            } else {
                log.warn("usage report {} answered {}; {} waiting", next.get("sequence"), status, backlog.size());
                if ((status == 503 || status == 429) && retryAfter != null) {
                    long wait = retryAfter.toMillis();
                    retryAt = System.currentTimeMillis() + wait + java.util.concurrent.ThreadLocalRandom.current().nextLong(wait + 1);
                    notifyAll();
                }
                return;
            }
        }
    }

    /** Stops the schedule, then reports the last window (graceful shutdown). */
    @Override
    public void close() {
        running = false;
        Thread thread = loop;
        if (thread != null) thread.interrupt();
        try {
            reportNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("last usage report not sent: {}", e.toString());
        }
        if (backlog() > 0) log.warn("{} usage reports not delivered at shutdown", backlog());
    }
}
