package dev.trellis.controlplane.web;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/** How the one advice answers a domain problem, a refusal for load and an unexpected failure. */
class ProblemAdviceTest {
    private final ProblemAdvice advice = new ProblemAdvice();

    /** A domain problem as a feature package would declare one. */
    private static final class Refusal extends RuntimeException implements ApiProblem {
        private final HttpStatus status;
        private final Integer retryAfterSeconds;

        Refusal(HttpStatus status, String detail, Integer retryAfterSeconds) {
            super(detail);
            this.status = status;
            this.retryAfterSeconds = retryAfterSeconds;
        }

        @Override
        public HttpStatus status() {
            return status;
        }

        @Override
        public String title() {
            return status.getReasonPhrase();
        }

        @Override
        public Integer retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    @Test
    void aProblemThatMaySucceedLaterIsAnsweredWithItsRetryAfter() {
        ResponseEntity<ProblemDetail> answer = advice.unexpected(new Refusal(HttpStatus.SERVICE_UNAVAILABLE, "too many waiting", 3));

        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("3");
        assertThat(answer.getBody().getDetail()).isEqualTo("too many waiting");
        assertThat(answer.getBody().getTitle()).isEqualTo("Service Unavailable");
    }

    @Test
    void aProblemAboutTheRequestHasNoRetryAfter() {
        ResponseEntity<ProblemDetail> answer = advice.unexpected(new Refusal(HttpStatus.NOT_FOUND, "no such mesh", null));

        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(answer.getHeaders().containsHeader(HttpHeaders.RETRY_AFTER)).isFalse();
        assertThat(answer.getBody().getDetail()).isEqualTo("no such mesh");
    }

    @Test
    void anUnexpectedFailureSaysNothingOfItself() {
        ResponseEntity<ProblemDetail> answer = advice.unexpected(new IllegalStateException("SELECT secret FROM keys"));

        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
        assertThat(answer.getBody().getDetail()).isEqualTo("the request could not be completed").doesNotContain("SELECT");
    }
}
