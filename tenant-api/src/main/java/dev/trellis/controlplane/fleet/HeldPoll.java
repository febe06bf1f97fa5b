package dev.trellis.controlplane.fleet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One proxy's poll while it waits, answered by writing the prepared {@link PollAnswer} straight to
 * the suspended response: no async dispatch back through the filter chain and MVC. Exactly one
 * thread writes the answer. While the request thread is still inside the filter chain (whose
 * filters may still touch the response on their way out) an answer is only left for it; once
 * {@link #leave()} ran, whoever claims the poll first (a wake-up or the timeout) writes.
 */
final class HeldPoll {
    private static final Object INSIDE = new Object();
    private static final Object HELD = new Object();
    private static final Object ANSWERED = new Object();

    private final SnapshotKey key;
    private final String proxyId;
    private final String token;
    private final String version;
    /** INSIDE, HELD, ANSWERED, or a PollAnswer that arrived while INSIDE. */
    private final AtomicReference<Object> state = new AtomicReference<>(INSIDE);
    private final CountDownLatch written = new CountDownLatch(1);
    private volatile AsyncContext async;

    /** {@code token}: the one the poll presented, so a wake-up can verify it ahead of the proxy's report. */
    HeldPoll(SnapshotKey key, String proxyId, String token, String version) {
        this.key = key;
        this.proxyId = proxyId;
        this.token = token;
        this.version = version;
    }

    SnapshotKey key() {
        return key;
    }

    String proxyId() {
        return proxyId;
    }

    String token() {
        return token;
    }

    /**
     * The current snapshot, from any thread. True when it differs from the proxy's and the poll was
     * held: the caller then writes it with {@link #answer}. Otherwise it is ignored or left for the request thread.
     */
    boolean offer(PollAnswer current) {
        if (current.version().equals(version)) return false;
        while (true) {
            Object now = state.get();
            if (now == INSIDE && state.compareAndSet(INSIDE, current)) return false;
            if (now == HELD && state.compareAndSet(HELD, ANSWERED)) return true;
            if (now != INSIDE && now != HELD) return false;
        }
    }

    /**
     * A newer poll of the same proxy replaces this one, which is answered 304. Answers the 304 when
     * the caller must write it ({@link #answer}); null when the request thread will (it is still
     * inside the filter chain) or the poll is answered already.
     */
    PollAnswer supersede() {
        PollAnswer notModified = PollAnswer.notModified(version);
        while (true) {
            Object now = state.get();
            if (now == INSIDE && state.compareAndSet(INSIDE, notModified)) return null;
            if (now == HELD && state.compareAndSet(HELD, ANSWERED)) return notModified;
            if (now != INSIDE && now != HELD) return null;
        }
    }

    /** Whether nothing has answered or replaced the poll yet, and its request thread is still inside the filter chain. */
    boolean waiting() {
        return state.get() == INSIDE;
    }

    /** On the request thread: an answer that arrived since the poll began, now this thread's to write. */
    Optional<PollAnswer> answeredMeanwhile() {
        Object now = state.get();
        return now instanceof PollAnswer answer && state.compareAndSet(now, ANSWERED) ? Optional.of(answer) : Optional.empty();
    }

    /** Suspends the request for up to {@code hold}, then 304; {@code done} runs once the exchange is over, however it ended. */
    void hold(AsyncContext context, Duration hold, Runnable done) {
        context.setTimeout(hold.toMillis());
        context.addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
                done.run();
            }

            @Override
            public void onTimeout(AsyncEvent event) {
                if (state.getAndSet(ANSWERED) != ANSWERED) answer(PollAnswer.notModified(version));
                else awaitWritten();
            }

            @Override
            public void onError(AsyncEvent event) {
                // The proxy went away: nobody writes any more, and the exchange ends here (onComplete forgets it), not in an error page.
                state.set(ANSWERED);
                try {
                    event.getAsyncContext().complete();
                } catch (IllegalStateException e) {
                    // A writer ended it first.
                }
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
            }
        });
        async = context;
    }

    /**
     * On the request thread, once the filter chain has returned: from now on a wake-up writes, or
     * this thread writes at once an answer that came while it was inside.
     */
    void leave() {
        if (state.compareAndSet(INSIDE, HELD)) return;
        Optional<PollAnswer> meanwhile = answeredMeanwhile();
        if (meanwhile.isPresent()) answer(meanwhile.get());
    }

    /** Writes the answer to the suspended response and ends the exchange; only the thread that claimed the poll calls this. */
    void answer(PollAnswer answer) {
        try {
            HttpServletResponse response = (HttpServletResponse) async.getResponse();
            answer.writeTo(response);
            // Sends it now, from this thread, rather than when a container thread gets round to completing the exchange.
            response.flushBuffer();
        } catch (IOException | IllegalStateException e) {
            // The proxy went away meanwhile; it polls again when it comes back.
        } finally {
            try {
                async.complete();
            } catch (IllegalStateException e) {
                // Already ended by the container (an error): nothing left to complete.
            }
            written.countDown();
        }
    }

    /** A wake-up claimed the poll as the hold ran out: the container must not end it before the answer is out. */
    private void awaitWritten() {
        try {
            written.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
