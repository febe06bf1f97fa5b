package dev.trellis.controlplane.database;

import dev.trellis.controlplane.web.ApiProblem;
import org.springframework.http.HttpStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Group commit for writes whose callers each wait for their own outcome, one group per key (a tenant:
 * a transaction sees one tenant's rows). An item that arrives while a transaction of its key is being
 * written waits, and the next writer writes the items that waited, oldest first, in one transaction of
 * at most {@code maxPerTransaction}. Nothing waits for a timer: alone, an item is written at once;
 * under load, the round trips a transaction costs (the tenant setting, the statements, the commit, and
 * the wake-ups each takes) are shared.
 *
 * <p>A writer writes until its own item is done, then wakes the oldest item still waiting to take over,
 * so no writer is kept writing other callers' items without end. An item written by another thread
 * wakes and answers at once, without taking the lock (a first version that made every waiter take the
 * lock just to return convoyed: at 600 usage reports a second the replica ran out of heap). When
 * {@code maxWaiting} items of a key already wait, the next is refused at once ({@link Full}, 503 with
 * {@code Retry-After}): past that the database is not keeping up, and waiting would only hold memory
 * and connections until the caller timed out.
 *
 * <p>A group whose transaction fails is written again one item per transaction, so one bad item (a
 * revoked proxy's report) gets its own failure and the others are written; unless the failure is one
 * that every item would meet ({@code sharedFailure}: the database out of reach), which every item of
 * the group is given.
 *
 * @param <T> what is written
 * @param <R> each item's outcome
 */
public final class GroupCommit<T, R> {
    /** Writes items of one key in one transaction. */
    @FunctionalInterface
    public interface Writer<T, R> {
        /**
         * Each item's outcome, in the items' order. Throwing means the transaction rolled back and
         * nothing of the group was written.
         */
        List<R> write(String key, List<T> items);
    }

    /** An item refused because {@code maxWaiting} of its key's items already wait on this replica. */
    public static final class Full extends RuntimeException implements ApiProblem {
        /** How long a refused caller should wait before sending again. */
        static final int RETRY_AFTER_SECONDS = 1;

        Full(String what) {
            super("too many " + what + " are waiting to be written on this replica; send it again later", null, false, false);
        }

        @Override
        public HttpStatus status() {
            return HttpStatus.SERVICE_UNAVAILABLE;
        }

        @Override
        public String title() {
            return "Service unavailable";
        }

        @Override
        public Integer retryAfterSeconds() {
            return RETRY_AFTER_SECONDS;
        }
    }

    /** One item in its group's queue: its outcome, set once by whoever wrote it, and what wakes its thread. */
    private static final class Waiting<T, R> {
        final T item;
        final Semaphore wake = new Semaphore(0);
        volatile boolean done;
        R outcome;
        Throwable failure;

        Waiting(T item) {
            this.item = item;
        }

        /** The outcome (written before {@code done}, so visible after reading it) and its thread woken. */
        void finish(R outcome, Throwable failure) {
            this.outcome = outcome;
            this.failure = failure;
            done = true;
            wake.release();
        }
    }

    /** One key's items waiting to be written: whoever holds {@code writing} writes them, oldest first. */
    private static final class Group<T, R> {
        final ReentrantLock writing = new ReentrantLock();
        final ConcurrentLinkedQueue<Waiting<T, R>> waiting = new ConcurrentLinkedQueue<>();
        final AtomicInteger size = new AtomicInteger();

        /** Wakes the oldest waiting item's thread, to write what is left now that nobody writes. */
        void handOver() {
            Waiting<T, R> next = waiting.peek();
            if (next != null) next.wake.release();
        }
    }

    private final String what;
    private final int maxPerTransaction;
    private final int maxWaiting;
    private final Predicate<Throwable> sharedFailure;
    private final Writer<T, R> writer;
    /** By key; a key's group is a lock and a queue, kept while the replica runs. */
    private final ConcurrentHashMap<String, Group<T, R>> groups = new ConcurrentHashMap<>();

    /**
     * @param what          the items, plural, as a refusal names them ("usage reports")
     * @param sharedFailure failures every item of a group would meet, given to all without writing each again
     */
    public GroupCommit(String what, int maxPerTransaction, int maxWaiting, Predicate<Throwable> sharedFailure, Writer<T, R> writer) {
        if (maxPerTransaction < 1) throw new IllegalArgumentException("maxPerTransaction must be at least 1");
        if (maxWaiting < 1) throw new IllegalArgumentException("maxWaiting must be at least 1");
        this.what = what;
        this.maxPerTransaction = maxPerTransaction;
        this.maxWaiting = maxWaiting;
        this.sharedFailure = sharedFailure;
        this.writer = writer;
    }

    /**
     * Writes the item with others of its key and answers its outcome once committed.
     *
     * @throws Full when {@code maxWaiting} items of the key already wait, writing nothing
     * @throws RuntimeException the writer's failure for this item (its transaction rolled back)
     */
    public R submit(String key, T item) {
        Group<T, R> group = groups.computeIfAbsent(key, k -> new Group<>());
        if (group.size.incrementAndGet() > maxWaiting) {
            group.size.decrementAndGet();
            throw new Full(what);
        }
        Waiting<T, R> self = new Waiting<>(item);
        group.waiting.add(self);
        try {
            while (!self.done) {
                if (group.writing.tryLock()) {
                    try {
                        while (!self.done) writeOldest(key, group);
                    } finally {
                        group.writing.unlock();
                        // Items that came while this one wrote wait for a writer: the oldest takes over (even
                        // when this writer fails, or they would wait for a next item that may never come).
                        group.handOver();
                    }
                } else {
                    // Woken when written, or handed the turn to write (the writer unlocks before it wakes anyone).
                    self.wake.acquireUninterruptibly();
                }
            }
        } finally {
            group.size.decrementAndGet();
        }
        if (self.failure instanceof RuntimeException e) throw e;
        if (self.failure instanceof Error e) throw e;
        return self.outcome;
    }

    /** Writes the group's oldest waiting items (up to a transaction's worth) and gives each its outcome. */
    private void writeOldest(String key, Group<T, R> group) {
        List<Waiting<T, R>> batch = new ArrayList<>();
        for (Waiting<T, R> next; batch.size() < maxPerTransaction && (next = group.waiting.poll()) != null; ) batch.add(next);
        write(key, batch);
    }

    private void write(String key, List<Waiting<T, R>> batch) {
        if (batch.isEmpty()) return;
        List<R> outcomes;
        try {
            outcomes = writer.write(key, batch.stream().map(w -> w.item).toList());
            if (outcomes.size() != batch.size()) {
                throw new IllegalStateException("the writer answered " + outcomes.size() + " outcomes for " + batch.size() + " items");
            }
        } catch (RuntimeException e) {
            if (batch.size() == 1 || sharedFailure.test(e)) {
                for (Waiting<T, R> w : batch) w.finish(null, e);
                return;
            }
            // Rolled back whole: each item again on its own, for its own answer.
            for (Waiting<T, R> w : batch) write(key, List.of(w));
            return;
        } catch (Error e) {
            // Taken from the queue, so no one else would ever write them: each is told, then this thread fails.
            for (Waiting<T, R> w : batch) w.finish(null, e);
            throw e;
        }
        for (int i = 0; i < batch.size(); i++) batch.get(i).finish(outcomes.get(i), null);
    }
}
