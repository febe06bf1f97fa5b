package dev.trellis.proxy.fleet;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ControlPlaneClientTest {

    @Test
    void aRefusalsReasonIsTheProblemsDetail() {
        String quota = """
                {"type": "https://trellis.dev/problems/quota-exceeded", "title": "Quota exceeded", "status": 403,
                 "detail": "the free@1 plan allows 10 connectedProxies; the tenant has 10", "quota": "connectedProxies"}""";
        assertThat(answer(403, quota).reason()).isEqualTo("the free@1 plan allows 10 connectedProxies; the tenant has 10");
        assertThat(answer(502, "<html>bad gateway</html>").reason()).isEmpty();
        assertThat(answer(401, "{\"title\": \"Unauthorized\"}").reason()).isEmpty();
    }

    @Test
    void retryAfterIsReadInWholeSecondsAndAnythingElseIsIgnored() {
        assertThat(ControlPlaneClient.retryAfter("1")).isEqualTo(Duration.ofSeconds(1));
        assertThat(ControlPlaneClient.retryAfter(" 5 ")).isEqualTo(Duration.ofSeconds(5));
        assertThat(ControlPlaneClient.retryAfter(null)).isNull();
        assertThat(ControlPlaneClient.retryAfter("-1")).isNull();
        assertThat(ControlPlaneClient.retryAfter("Wed, 21 Oct 2026 07:28:00 GMT")).isNull();
        assertThat(ControlPlaneClient.retryAfter("99999999999999999999")).isNull();
    }

    private static ControlPlaneClient.Answer answer(int status, String body) {
        return new ControlPlaneClient.Answer(status, body.getBytes(StandardCharsets.UTF_8), null, null);
    }
}
