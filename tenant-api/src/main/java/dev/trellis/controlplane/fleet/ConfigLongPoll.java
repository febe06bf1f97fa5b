package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.database.TenantTransactions;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.async.DeferredResult;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET /v1/fleet/config?version=}: answers at once when the stored snapshot differs from the
 * proxy's version, otherwise holds the request (a {@link DeferredResult}: no thread, no connection)
 * until a notification names that snapshot or the hold time ends with 304. A notification reads the
 * snapshot and builds its answer once for all the polls waiting on it.
 */
@Component
class ConfigLongPoll {
    private final TenantTransactions transactions;
    private final FleetSnapshots snapshots;
    private final Duration hold;
    private final ConcurrentHashMap<SnapshotKey, Set<Waiter>> waiting = new ConcurrentHashMap<>();

    ConfigLongPoll(TenantTransactions transactions, FleetSnapshots snapshots,
                   @Value("${trellis.fleet.poll-hold:30s}") Duration hold) {
        this.transactions = transactions;
        this.snapshots = snapshots;
        this.hold = hold;
    }

    /** One held poll: the version its proxy has, and where its answer goes. */
    private record Waiter(String version, DeferredResult<ResponseEntity<byte[]>> result) {
    }

    /** A snapshot's version and the answer every poll behind it receives (immutable, so shared). */
    private record Answer(String version, ResponseEntity<byte[]> response) {
    }

    DeferredResult<ResponseEntity<byte[]>> poll(SnapshotKey key, String version) {
        String have = version == null ? "" : version;
        DeferredResult<ResponseEntity<byte[]>> result = new DeferredResult<>(hold.toMillis(), notModified(have));
        Waiter waiter = new Waiter(have, result);
        // Registered before reading, so a change committed in between is not missed: either the read sees it or the notification finds this waiter.
        waiting.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(waiter);
        result.onCompletion(() -> forget(key, waiter));
        offer(waiter, current(key));
        return result;
    }

    /** A notification: the snapshot of {@code key} changed (on this replica or another). */
    void changed(SnapshotKey key) {
        Set<Waiter> waiters = waiting.get(key);
        if (waiters == null || waiters.isEmpty()) return;
        Optional<Answer> current = current(key);
        waiters.forEach(waiter -> offer(waiter, current));
    }

    /** After the notification connection was lost: any snapshot may have changed meanwhile. */
    void changedAll() {
        waiting.keySet().forEach(this::changed);
    }

    int held() {
        return waiting.values().stream().mapToInt(Set::size).sum();
    }

    private Optional<Answer> current(SnapshotKey key) {
        return transactions.inTenant(key.tenantId(), () -> snapshots.find(key)).map(snapshot -> new Answer(snapshot.version(),
                ResponseEntity.ok().eTag("\"" + snapshot.version() + "\"").contentType(MediaType.APPLICATION_JSON).body(snapshot.body())));
    }

    private static void offer(Waiter waiter, Optional<Answer> current) {
        if (current.isEmpty() || current.get().version().equals(waiter.version())) return;
        waiter.result().setResult(current.get().response());
    }

    private void forget(SnapshotKey key, Waiter waiter) {
        waiting.computeIfPresent(key, (k, waiters) -> {
            waiters.remove(waiter);
            return waiters.isEmpty() ? null : waiters;
        });
    }

    private static ResponseEntity<byte[]> notModified(String version) {
        return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag("\"" + version + "\"").build();
    }
}
