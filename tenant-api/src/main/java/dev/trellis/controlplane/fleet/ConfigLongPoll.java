package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.database.TenantTransactions;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code GET /v1/fleet/config?version=}: answers at once when the stored snapshot differs from the
 * proxy's version, otherwise suspends the request (servlet async: no thread, no connection from the
 * pool) until a notification names that snapshot or the hold time ends with 304. A notification
 * reads the snapshot and builds its answer once; each woken poll is answered by writing those bytes
 * straight to its response on a virtual thread, so one slow proxy never delays the others.
 */
@Component
class ConfigLongPoll {
    private final TenantTransactions transactions;
    private final FleetSnapshots snapshots;
    private final WokenProxyTokens tokens;
    private final Duration hold;
    private final ConcurrentHashMap<SnapshotKey, Set<HeldPoll>> waiting = new ConcurrentHashMap<>();
    private final ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor();

    ConfigLongPoll(TenantTransactions transactions, FleetSnapshots snapshots, WokenProxyTokens tokens,
                   @Value("${trellis.fleet.poll-hold:30s}") Duration hold) {
        this.transactions = transactions;
        this.snapshots = snapshots;
        this.tokens = tokens;
        this.hold = hold;
    }

    /** On the request thread, after authentication: answers now, or suspends the request and leaves it to {@link HeldPolls} to hand over. */
    void poll(FleetProxy proxy, String version, HttpServletRequest request, HttpServletResponse response) throws IOException {
        SnapshotKey key = proxy.snapshotKey();
        HeldPoll poll = new HeldPoll(proxy.id(), ProxyCredentialFilter.token(request), version == null ? "" : version);
        // Registered before reading, so a change committed in between is not missed: either the read sees it or the notification finds this poll.
        waiting.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(poll);
        Optional<PollAnswer> now;
        try {
            current(key).ifPresent(poll::offer);
            now = poll.answeredMeanwhile();
            if (now.isEmpty()) poll.hold(request.startAsync(), hold, () -> forget(key, poll));
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

    private Optional<PollAnswer> current(SnapshotKey key) {
        return transactions.inTenant(key.tenantId(), () -> snapshots.find(key))
                .map(snapshot -> PollAnswer.snapshot(snapshot.version(), snapshot.body()));
    }

    private void forget(SnapshotKey key, HeldPoll poll) {
        waiting.computeIfPresent(key, (k, polls) -> {
            polls.remove(poll);
            return polls.isEmpty() ? null : polls;
        });
    }
}
