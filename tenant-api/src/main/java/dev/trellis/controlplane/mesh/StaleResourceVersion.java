package dev.trellis.controlplane.mesh;

import dev.trellis.controlplane.web.ApiProblem;
import org.springframework.http.HttpStatus;

/** {@code If-Match} named a version that is no longer current; the other writer's change stays. Maps to 412. */
public class StaleResourceVersion extends RuntimeException implements ApiProblem {
    public StaleResourceVersion(String path, String expected, String current) {
        super(path + " is at resourceVersion " + current + ", not " + expected, null, false, false);
    }

    @Override
    public HttpStatus status() {
        return HttpStatus.PRECONDITION_FAILED;
    }

    @Override
    public String title() {
        return "Stale resource version";
    }
}
