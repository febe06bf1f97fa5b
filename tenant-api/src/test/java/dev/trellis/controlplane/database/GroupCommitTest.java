package dev.trellis.controlplane.database;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.http.HttpStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Group commit without a database: the writer records each transaction's items and can be held inside
 * one, so the test decides exactly which items arrive while a transaction is being written. Callers are
 * platform threads started one at a time, each waited for until it is parked in the queue, so arrival
 * order is known.
 */
@Timeout(30)
class GroupCommitTest {
    /** The writer's transactions, each the items it was given, in the order they were written. */
    private final List<List<String>> transactions = new CopyOnWriteArrayList<>();
    /** Released to let the transaction holding an item named "hold…" finish. */
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch holding = new CountDownLatch(1);
    /** Each caller's answer: its outcome, or the name of what it threw. */
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private final List<Thread> callers = new ArrayList<>();

    @AfterEach
    void noCallerLeftWaiting() throws InterruptedException {
        release.countDown();
        for (Thread caller : callers) {
            caller.join(10_000);
            assertThat(caller.isAlive()).as(caller.getName() + " still waiting").isFalse();
        }
    }

    private GroupCommit<String, String> commit(int perTransaction, int maxWaiting, Predicate<Throwable> shared) {
        return new GroupCommit<>("items", perTransaction, maxWaiting, shared, (key, items) -> {
            transactions.add(items);
            if (items.stream().anyMatch(i -> i.startsWith("hold"))) {
                holding.countDown();
                await(release);
            }
            if (items.contains("unreachable")) throw new Unreachable();
            if (items.contains("error")) throw new AssertionError("the writer failed");
            if (items.contains("bad")) throw new IllegalArgumentException("bad item");
            return items.stream().map(i -> key + ":" + i).toList();
        });
    }

    private static final class Unreachable extends RuntimeException {
    }

    /** Submits from a thread of its own; once the item is queued behind a writer, returns. */
    private void submitWaiting(GroupCommit<String, String> commit, String key, String item) throws InterruptedException {
        Thread caller = submit(commit, key, item);
        while (caller.getState() != Thread.State.WAITING) {
            assertThat(caller.isAlive()).as(item + " answered without waiting").isTrue();
            Thread.sleep(1);
        }
    }

    private Thread submit(GroupCommit<String, String> commit, String key, String item) {
        Thread caller = Thread.ofPlatform().name(item).start(() -> {
            try {
                answers.put(item, commit.submit(key, item));
            } catch (RuntimeException | Error e) {
                answers.put(item, e.getClass().getSimpleName());
            }
        });
        callers.add(caller);
        return caller;
    }

    private void holdAWriter(GroupCommit<String, String> commit, String key) throws InterruptedException {
        submit(commit, key, "hold");
        holding.await();
    }

    /** A writer of {@code key} held in its transaction, and {@code items} queued behind it in this order. */
    private void queueBehindAWriter(GroupCommit<String, String> commit, String key, String... items) throws InterruptedException {
        holdAWriter(commit, key);
        for (String item : items) submitWaiting(commit, key, item);
    }

    private void finishAll() throws InterruptedException {
        release.countDown();
        for (Thread caller : callers) caller.join(10_000);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anItemAloneIsWrittenAtOnceInItsOwnTransaction() {
        GroupCommit<String, String> commit = commit(4, 10, e -> false);

        assertThat(commit.submit("t1", "a")).isEqualTo("t1:a");
        assertThat(commit.submit("t1", "b")).isEqualTo("t1:b");

        assertThat(transactions).containsExactly(List.of("a"), List.of("b"));
    }

    @Test
    void itemsArrivingDuringATransactionShareTheNextOldestFirstAndNoneIsLargerThanTheBound() throws InterruptedException {
        GroupCommit<String, String> commit = commit(4, 100, e -> false);
        queueBehindAWriter(commit, "t1", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10");

        finishAll();

        assertThat(transactions).containsExactly(List.of("hold"), List.of("r1", "r2", "r3", "r4"), List.of("r5", "r6", "r7", "r8"),
                List.of("r9", "r10"));
        for (int i = 1; i <= 10; i++) assertThat(answers).containsEntry("r" + i, "t1:r" + i);
    }

    @Test
    void pastTheWaitingBoundAnItemIsRefusedAtOnceAndTheOthersAreWritten() throws InterruptedException {
        GroupCommit<String, String> commit = commit(4, 3, e -> false);
        queueBehindAWriter(commit, "t1", "r1", "r2");

        assertThatThrownBy(() -> commit.submit("t1", "r3")).isInstanceOfSatisfying(GroupCommit.Full.class, full -> {
            assertThat(full.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
            assertThat(full.retryAfterSeconds()).isEqualTo(1);
            assertThat(full.getMessage()).contains("too many items are waiting");
        });
        finishAll();

        assertThat(answers).containsEntry("r1", "t1:r1").containsEntry("r2", "t1:r2").doesNotContainKey("r3");
        assertThat(transactions).containsExactly(List.of("hold"), List.of("r1", "r2"));
        // Once the queue has drained, the key takes items again.
        assertThat(commit.submit("t1", "r4")).isEqualTo("t1:r4");
    }

    @Test
    void keysAreWrittenIndependently() throws InterruptedException {
        GroupCommit<String, String> commit = commit(4, 10, e -> false);
        holdAWriter(commit, "t1");

        assertThat(commit.submit("t2", "other")).isEqualTo("t2:other");
    }

    @Test
    void aGroupThatFailsIsWrittenAgainOneItemEachSoOnlyTheBadItemFails() throws InterruptedException {
        GroupCommit<String, String> commit = commit(4, 10, e -> false);
        queueBehindAWriter(commit, "t1", "a", "bad", "c");

        finishAll();

        assertThat(answers).containsEntry("a", "t1:a").containsEntry("bad", "IllegalArgumentException").containsEntry("c", "t1:c");
        assertThat(transactions).containsExactly(List.of("hold"), List.of("a", "bad", "c"), List.of("a"), List.of("bad"), List.of("c"));
    }

    @Test
    void aFailureEveryItemWouldMeetIsGivenToTheWholeGroupWithoutWritingEachAgain() throws InterruptedException {
        GroupCommit<String, String> commit = commit(4, 10, e -> e instanceof Unreachable);
        queueBehindAWriter(commit, "t1", "a", "unreachable");

        finishAll();

        assertThat(answers).containsEntry("a", "Unreachable").containsEntry("unreachable", "Unreachable");
        assertThat(transactions).containsExactly(List.of("hold"), List.of("a", "unreachable"));
    }

    @Test
    void anErrorInTheWriterReachesEveryItemItTookAndTheItemsAfterThemAreStillWritten() throws InterruptedException {
        GroupCommit<String, String> commit = commit(2, 10, e -> false);
        queueBehindAWriter(commit, "t1", "a", "error", "after");

        finishAll();

        // The failing group's items hear of the Error (its writer, "a", too); "after" is handed the turn and written.
        assertThat(answers).containsEntry("hold", "t1:hold").containsEntry("a", "AssertionError")
                .containsEntry("error", "AssertionError").containsEntry("after", "t1:after");
        assertThat(transactions).containsExactly(List.of("hold"), List.of("a", "error"), List.of("after"));
    }

    @Test
    void aWriterAnsweringTheWrongNumberOfOutcomesFailsItsItemsInsteadOfMisattributingThem() {
        GroupCommit<String, String> commit = new GroupCommit<>("items", 4, 10, e -> false, (key, items) -> List.of());

        assertThatThrownBy(() -> commit.submit("t1", "a")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("0 outcomes for 1 items");
    }
}
