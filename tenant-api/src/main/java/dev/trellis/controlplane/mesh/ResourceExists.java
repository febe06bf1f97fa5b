package dev.trellis.controlplane.mesh;

import dev.trellis.controlplane.web.ApiProblem;
import org.springframework.http.HttpStatus;

/** A create-only write ({@code If-None-Match: *}) found the resource already there; nothing was changed. Maps to 412. */
public class ResourceExists extends RuntimeException implements ApiProblem {
    public ResourceExists(String path, String currentVersion) {
        super(path + " already exists (resourceVersion " + currentVersion + "); nothing was changed", null, false, false);
    }

    @Override
    public HttpStatus status() {
        return HttpStatus.PRECONDITION_FAILED;
    }

    @Override
    public String title() {
        return "Resource already exists";
    }
}
