package dev.trellis.proxy.policy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** Counting while reports drain: every request lands in exactly one window, none lost, none twice. */
@Timeout(30)
class UsageLedgerTest {

    @Test
    void concurrentWritersAndDrainsLoseAndDoubleNothing() throws Exception {
        UsageLedger ledger = new UsageLedger();
        UsageLedger.Key key = new UsageLedger.Key("outbound", "r/0", "echo", null);
        int writers = 4;
        int perWriter = 200_000;
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            threads.add(Thread.ofPlatform().start(() -> {
                UsageLedger.Counters counters = ledger.counters(key);
                for (int i = 0; i < perWriter; i++) counters.record(200, 100 + i % 1000, 1, 2, 0, false);
            }));
        }
        long requests = 0;
        long histogramCount = 0;
        long bytesOut = 0;
        while (threads.stream().anyMatch(Thread::isAlive)) {
            for (UsageLedger.Row row : ledger.drain()) {
                requests += row.requests();
                histogramCount += row.latencyMicros().getTotalCount();
                bytesOut += row.bytesOut();
            }
        }
        for (Thread t : threads) t.join();
        for (UsageLedger.Row row : ledger.drain()) {
            requests += row.requests();
            histogramCount += row.latencyMicros().getTotalCount();
            bytesOut += row.bytesOut();
        }
        assertThat(requests).isEqualTo((long) writers * perWriter);
        assertThat(histogramCount).isEqualTo((long) writers * perWriter);
        assertThat(bytesOut).isEqualTo(2L * writers * perWriter);
        assertThat(ledger.drain()).isEmpty();
    }

    @Test
    void connectionsOpenedPerWindowAndActiveUntilClosed() {
        UsageLedger ledger = new UsageLedger();
        Runnable first = ledger.connectionOpened(true);
        ledger.connectionOpened(true);
        ledger.connectionOpened(false);
        first.run();

        UsageLedger.Connections window = ledger.drainConnections();
        assertThat(window).isEqualTo(new UsageLedger.Connections(2, 1, 1, 1));
        assertThat(ledger.drainConnections()).isEqualTo(new UsageLedger.Connections(0, 0, 1, 1));
    }

    @Test
    void aRuleThatNeverServesHoldsNoLatencyRecorderAndReportsNothing() {
        UsageLedger ledger = new UsageLedger();
        // A route table makes a key per rule when it is built; most rules of a big table never serve.
        List<UsageLedger.Counters> idle = new ArrayList<>();
        for (int i = 0; i < 1000; i++) idle.add(ledger.counters(new UsageLedger.Key("outbound", "r/" + i, "echo", null)));
        assertThat(ledger.drain()).isEmpty();
        assertThat(idle).allSatisfy(counters -> assertThat(counters.latencySinceLastDrain()).isNull());

        idle.get(7).record(200, 250, 0, 0, 0, false);
        List<UsageLedger.Row> rows = ledger.drain();
        assertThat(rows).singleElement().satisfies(row -> {
            assertThat(row.key().rule()).isEqualTo("r/7");
            assertThat(row.latencyMicros().getTotalCount()).isEqualTo(1);
        });
        assertThat(idle.get(8).latencySinceLastDrain()).isNull();
    }

    @Test
    void keysOfRulesThatVanishedLeaveAfterTheirLastReport() {
        UsageLedger ledger = new UsageLedger();
        UsageLedger.Key gone = new UsageLedger.Key("outbound", "old/0", "echo", null);
        ledger.counters(gone).record(200, 100, 0, 0, 0, false);
        assertThat(ledger.drain()).extracting(UsageLedger.Row::key).containsExactly(gone);
        for (int i = 1; i < UsageLedger.IDLE_DRAINS; i++) {
            assertThat(ledger.drain()).isEmpty();
            assertThat(ledger.keys()).isEqualTo(1);
        }
        assertThat(ledger.drain()).isEmpty();
        assertThat(ledger.keys()).as("dropped after %d idle drains", UsageLedger.IDLE_DRAINS).isZero();
    }

    @Test
    void anIdleKeyStillHeldByItsFilterComesBackWithItsNextRequest() {
        UsageLedger ledger = new UsageLedger();
        UsageLedger.Key key = new UsageLedger.Key("outbound", "r/0", "echo", null);
        UsageLedger.Counters held = ledger.counters(key);
        for (int i = 0; i < UsageLedger.IDLE_DRAINS; i++) ledger.drain();
        assertThat(ledger.keys()).isZero();

        held.record(503, 100, 1, 2, 1, true);
        List<UsageLedger.Row> rows = ledger.drain();
        assertThat(rows).hasSize(1);
        assertThat(rows.getFirst().requestsByClass()[4]).isEqualTo(1);
        assertThat(rows.getFirst().breakerRejections()).isEqualTo(1);

        // Dropped again, then a new snapshot's filter makes new counters for the same key while the old
        // filter still counts: both are reported.
        for (int i = 0; i < UsageLedger.IDLE_DRAINS; i++) ledger.drain();
        UsageLedger.Counters fresh = ledger.counters(key);
        assertThat(fresh).isNotSameAs(held);
        fresh.record(200, 100, 0, 0, 0, false);
        held.record(200, 100, 0, 0, 0, false);
        assertThat(ledger.drain()).extracting(UsageLedger.Row::requests).containsExactly(1L, 1L);
        for (int i = 0; i < UsageLedger.IDLE_DRAINS; i++) ledger.drain();
        assertThat(ledger.keys()).isZero();
    }

    @Test
    void droppingIdleKeysWhileWritersComeAndGoLosesNothing() throws Exception {
        UsageLedger ledger = new UsageLedger();
        UsageLedger.Key key = new UsageLedger.Key("outbound", "r/0", "echo", null);
        UsageLedger.Counters held = ledger.counters(key);
        int bursts = 200;
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int b = 0; b < bursts; b++) {
                for (int i = 0; i < 50; i++) held.record(200, 100 + i, 0, 1, 0, false);
                try {
                    Thread.sleep(b % 4);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long requests = 0;
        long bytesOut = 0;
        while (writer.isAlive()) {
            for (UsageLedger.Row row : ledger.drain()) {
                requests += row.requests();
                bytesOut += row.bytesOut();
            }
        }
        writer.join();
        for (UsageLedger.Row row : ledger.drain()) {
            requests += row.requests();
            bytesOut += row.bytesOut();
        }
        assertThat(requests).isEqualTo(bursts * 50L);
        assertThat(bytesOut).isEqualTo(bursts * 50L);
    }
}
