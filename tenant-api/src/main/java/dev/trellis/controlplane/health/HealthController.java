package dev.trellis.controlplane.health;

import dev.trellis.controlplane.web.ProblemResponses;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * Probes for load balancers and orchestrators, unauthenticated and outside {@code /v1}:
 * {@code GET /livez} answers 200 while the process serves HTTP (it never asks the database, so a
 * database outage restarts no replica); {@code GET /readyz} answers 200 when {@link Readiness}
 * holds and 503 with Retry-After and the reason otherwise.
 */
@RestController
class HealthController {
    static final String RETRY_AFTER_SECONDS = "1";
    private final Readiness readiness;

    HealthController(Readiness readiness) {
        this.readiness = readiness;
    }

    @GetMapping(path = "/livez", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, String> live() {
        return Map.of("status", "live");
    }

    @GetMapping("/readyz")
    void ready(HttpServletResponse response) throws IOException {
        Optional<String> notReady = readiness.notReadyBecause();
        if (notReady.isPresent()) {
            response.setHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
            ProblemResponses.write(response, HttpStatus.SERVICE_UNAVAILABLE, "Not ready", notReady.get());
            return;
        }
        response.setStatus(HttpStatus.OK.value());
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.getOutputStream().write("{\"status\":\"ready\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
