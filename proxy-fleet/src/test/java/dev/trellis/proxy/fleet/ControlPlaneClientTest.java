package dev.trellis.proxy.fleet;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

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

    private static ControlPlaneClient.Answer answer(int status, String body) {
        return new ControlPlaneClient.Answer(status, body.getBytes(StandardCharsets.UTF_8), null);
    }
}
