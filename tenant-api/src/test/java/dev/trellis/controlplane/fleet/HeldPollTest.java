package dev.trellis.controlplane.fleet;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockAsyncContext;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class HeldPollTest {
    private static final PollAnswer NEWER = PollAnswer.snapshot("sha256:b", "{\"version\":\"sha256:b\"}".getBytes(StandardCharsets.UTF_8));

    private final MockHttpServletRequest request = new MockHttpServletRequest();
    private final MockHttpServletResponse response = new MockHttpServletResponse();
    private final AtomicInteger ended = new AtomicInteger();
    private MockAsyncContext async;
    private HeldPoll poll;

    @BeforeEach
    void suspended() {
        request.setAsyncSupported(true);
        async = (MockAsyncContext) request.startAsync(request, response);
        poll = new HeldPoll(new SnapshotKey("t", "m", "s"), "trp_a", "trp_a_secret", "sha256:a");
        poll.hold(async, Duration.ofSeconds(30), ended::incrementAndGet);
    }

    @Test
    void theSnapshotThePollAlreadyHasWakesNothing() {
        poll.leave();
        assertThat(poll.offer(PollAnswer.snapshot("sha256:a", new byte[0]))).isFalse();
        assertThat(poll.offer(NEWER)).as("still held").isTrue();
    }

    @Test
    void aChangeWhileTheRequestThreadIsInsideIsWrittenByItWhenItLeaves() {
        assertThat(poll.offer(NEWER)).as("the waking thread must not write yet").isFalse();
        assertThat(response.isCommitted()).isFalse();

        poll.leave();
        assertAnswered(200, "\"sha256:b\"");
        assertThat(response.getContentType()).isEqualTo("application/json");
        assertThat(response.getContentAsByteArray()).isEqualTo(NEWER.body());
        assertThat(poll.offer(PollAnswer.snapshot("sha256:c", new byte[1]))).as("answered once").isFalse();
    }

    @Test
    void onceHeldExactlyOneWakeUpWritesTheAnswer() {
        poll.leave();
        assertThat(poll.offer(NEWER)).isTrue();
        assertThat(poll.offer(NEWER)).as("a second notification finds it claimed").isFalse();
        assertThat(response.isCommitted()).isFalse();

        poll.answer(NEWER);
        assertAnswered(200, "\"sha256:b\"");
    }

    @Test
    void theHoldRunningOutAnswers304WithTheVersionThePollHas() throws IOException {
        poll.leave();
        for (AsyncListener listener : async.getListeners()) listener.onTimeout(new AsyncEvent(async));

        assertAnswered(304, "\"sha256:a\"");
        assertThat(response.getContentAsByteArray()).isEmpty();
        assertThat(poll.offer(NEWER)).as("a change after the 304 writes nothing").isFalse();
    }

    @Test
    void aProxyGoneAwayIsForgottenAndNeverWritten() throws IOException {
        poll.leave();
        for (AsyncListener listener : async.getListeners()) listener.onError(new AsyncEvent(async, new IOException("reset")));

        assertThat(ended).hasValue(1);
        assertThat(poll.offer(NEWER)).isFalse();
        assertThat(response.getContentAsByteArray()).isEmpty();
    }

    private void assertAnswered(int status, String etag) {
        assertThat(response.getStatus()).isEqualTo(status);
        assertThat(response.getHeader("ETag")).isEqualTo(etag);
        assertThat(response.isCommitted()).isTrue();
        assertThat(ended).as("the exchange ended, so the poll is forgotten").hasValue(1);
    }
}
