package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.health.Drainable;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import dev.trellis.controlplane.web.ProblemResponses;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Executors;

/**
 * {@code GET /v1/fleet/config?version=}: answers at once when the stored snapshot differs from the
 * proxy's version, otherwise suspends the request (servlet async: no thread, no connection from the
 * pool) until a notification names that snapshot or the hold time ends with 304. A notification
 * reads the snapshot and builds its answer once; each woken poll is answered by writing those bytes
 * straight to its response on a virtual thread, so one slow proxy never delays the others.
 * <p>
 * Bounded: a proxy holds one poll (a second poll from it replaces the first, which is answered 304
 * at once), and a tenant holds at most {@code trellis.fleet.max-polls-per-tenant} on this replica;
 * beyond that a poll is answered 429 with Retry-After; and a tenant's polls read the database a few
 * at a time ({@code trellis.fleet.poll-reads-per-tenant}). So no tenant can take the connections,
 * database connections and memory every other tenant's requests need.
 * <p>
 * When the replica stops ({@link Drainable}), every held poll is answered 304 at once and so is
 * every poll that still arrives: its proxy polls again, through the load balancer, on another replica.
 */
@Component
class ConfigLongPoll implements Drainable {
    static final String TOO_MANY_RETRY_AFTER_SECONDS = "5";
    private final TenantTransactions transactions;
    private final FleetSnapshots snapshots;
    private final WokenProxyTokens tokens;
    private final Duration hold;
    private final int maxPerTenant;
    private final ConcurrentHashMap<SnapshotKey, Set<HeldPoll>> waiting = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, HeldPoll> byProxy = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> perTenant = new ConcurrentHashMap<>();
    private final int readsPerTenant;
    private final ConcurrentHashMap<String, Semaphore> readers = new ConcurrentHashMap<>();
    private final ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean closing;

    ConfigLongPoll(TenantTransactions transactions, FleetSnapshots snapshots, WokenProxyTokens tokens,
                   @Value("${trellis.fleet.poll-hold:30s}") Duration hold,
                   @Value("${trellis.fleet.max-polls-per-tenant:2000}") int maxPerTenant,
                   @Value("${trellis.fleet.poll-reads-per-tenant:4}") int readsPerTenant) {
        this.maxPerTenant = maxPerTenant;
        this.readsPerTenant = readsPerTenant;
        this.transactions = transactions;
        this.snapshots = snapshots;
        this.tokens = tokens;
        this.hold = hold;
    }

    /** On the request thread, after authentication: answers now, or suspends the request and leaves it to {@link HeldPolls} to hand over. */
    void poll(FleetProxy proxy, String version, HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (closing) {
            response.setHeader(HttpHeaders.CONNECTION, "close");
            PollAnswer.notModified(version == null ? "" : version).writeTo(response);
            return;
        }
        SnapshotKey key = proxy.snapshotKey();
        HeldPoll poll = new HeldPoll(key, proxy.id(), ProxyAuthentication.token(request), version == null ? "" : version);
        // Registered before reading, so a change committed in between is not missed: either the read sees it or the
        // notification finds this poll. Per proxy, in one step: the poll it replaces is no longer counted or woken.
        HeldPoll[] replaced = {null};
        boolean registered = poll == byProxy.compute(proxy.id(), (id, previous) -> {
            if (previous != null && unregister(previous)) replaced[0] = previous;
            AtomicInteger tenantPolls = perTenant.computeIfAbsent(key.tenantId(), t -> new AtomicInteger());
            if (tenantPolls.incrementAndGet() > maxPerTenant) {
                tenantPolls.decrementAndGet();
                return null;
            }
            // In one step with the map: a set emptied and dropped by another poll's end must not swallow this one.
            waiting.compute(key, (k, polls) -> {
                Set<HeldPoll> set = polls == null ? ConcurrentHashMap.newKeySet() : polls;
                set.add(poll);
                return set;
            });
            return poll;
        });
        if (replaced[0] != null) answerReplaced(replaced[0]);
        if (!registered) {
            response.setHeader(HttpHeaders.RETRY_AFTER, TOO_MANY_RETRY_AFTER_SECONDS);
            ProblemResponses.write(response, HttpStatus.TOO_MANY_REQUESTS, "Too many polls",
                    "this tenant holds " + maxPerTenant + " configuration polls on this replica (trellis.fleet.max-polls-per-tenant); retry later");
            return;
        }
        Optional<PollAnswer> now;
        try {
            readCurrent(key, poll);
            now = poll.answeredMeanwhile();
            if (now.isEmpty()) {
                poll.hold(request.startAsync(), hold, () -> forget(key, poll));
                // Registered while drained() went through the held polls: not left for the whole hold.
                if (closing) release(key, poll);
            }
        } catch (RuntimeException e) {
            // Not suspended (the database failed, say): nothing would ever end this poll but this.
            forget(key, poll);
            throw e;
        }
        if (now.isPresent()) {
            forget(key, poll);
            now.get().writeTo(response);
        } else {
            HeldPolls.handOverLater(request, poll);
        }
    }

    /** A notification: the snapshot of {@code key} changed (on this replica or another). */
    void changed(SnapshotKey key) {
        Set<HeldPoll> polls = waiting.get(key);
        if (polls == null || polls.isEmpty()) return;
        Optional<PollAnswer> current = current(key);
        if (current.isEmpty()) return;
        Map<String, String> woken = new HashMap<>();
        for (HeldPoll poll : polls) {
            if (!poll.offer(current.get())) continue;
            writers.execute(() -> poll.answer(current.get()));
            woken.put(poll.proxyId(), poll.token());
        }
        // While the answers are on their way: their proxies report within moments.
        tokens.verify(key.tenantId(), woken);
    }

    /** After the notification connection was lost: any snapshot may have changed meanwhile. */
    void changedAll() {
        waiting.keySet().forEach(this::changed);
    }

    int held() {
        return waiting.values().stream().mapToInt(Set::size).sum();
    }

    /** The polls this replica holds for one tenant. */
    int held(String tenantId) {
        AtomicInteger count = perTenant.get(tenantId);
        return count == null ? 0 : count.get();
    }

    /** The replica is stopping: every held poll answers 304 now, and so does every later one. */
    @Override
    public void drained() {
        closing = true;
        int released = 0;
        for (HeldPoll poll : byProxy.values()) {
            release(poll.key(), poll);
            released++;
        }
        org.slf4j.LoggerFactory.getLogger(ConfigLongPoll.class).info("stopping: {} held polls answered 304", released);
    }

    /** Revoked proxies: their held polls end now with 304, and the next poll's token no longer authenticates. */
    void revoked(Iterable<String> proxyIds) {
        for (String id : proxyIds) {
            HeldPoll poll = byProxy.get(id);
            if (poll != null) release(poll.key(), poll);
        }
    }

    /** No longer held from now on (not counted, not woken); answered 304 by whichever thread may write it. */
    private void release(SnapshotKey key, HeldPoll poll) {
        forget(key, poll);
        answerReplaced(poll);
    }

    private void answerReplaced(HeldPoll poll) {
        PollAnswer notModified = poll.supersede();
        if (notModified != null) writers.execute(() -> poll.answer(notModified));
    }

    /** Takes the poll off the waiting set and its tenant's count; false when an earlier call did. */
    private boolean unregister(HeldPoll poll) {
        boolean[] removed = {false};
        waiting.computeIfPresent(poll.key(), (k, polls) -> {
            removed[0] = polls.remove(poll);
            return polls.isEmpty() ? null : polls;
        });
        if (removed[0]) {
            AtomicInteger count = perTenant.get(poll.key().tenantId());
            if (count != null) count.decrementAndGet();
        }
        return removed[0];
    }

    /**
     * Offers the stored snapshot to a new poll. At most {@code trellis.fleet.poll-reads-per-tenant}
     * polls of one tenant read the database at once on this replica (the others wait their turn,
     * on their virtual threads), so a tenant's flood of polls takes that many connections from the
     * pool and never the ones other tenants' requests need; a poll replaced while it waited reads nothing.
     */
    private void readCurrent(SnapshotKey key, HeldPoll poll) {
        Semaphore reads = readers.computeIfAbsent(key.tenantId(), t -> new Semaphore(readsPerTenant, true));
        reads.acquireUninterruptibly();
        try {
            if (poll.waiting()) current(key).ifPresent(poll::offer);
        } finally {
            reads.release();
        }
    }

    private Optional<PollAnswer> current(SnapshotKey key) {
        return transactions.inTenant(key.tenantId(), () -> snapshots.find(key))
                .map(snapshot -> PollAnswer.snapshot(snapshot.version(), snapshot.body()));
    }

    /** Idempotent: the poll is counted off its tenant once, however many ways its exchange ends. */
    private void forget(SnapshotKey key, HeldPoll poll) {
        unregister(poll);
        byProxy.remove(poll.proxyId(), poll);
    }
}
