package dev.trellis.controlplane.tenant;

import dev.trellis.controlplane.web.ApiProblem;
import org.springframework.http.HttpStatus;

/** Another tenant already has this name. Maps to 409. */
public class TenantNameTaken extends RuntimeException implements ApiProblem {
    public TenantNameTaken(String name) {
        super("a tenant named " + name + " already exists", null, false, false);
    }

    @Override
    public HttpStatus status() {
        return HttpStatus.CONFLICT;
    }

    @Override
    public String title() {
        return "Conflict";
    }
}
