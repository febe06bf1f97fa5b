package dev.trellis.controlplane.billing;

import dev.trellis.controlplane.web.NotFound;

/** The operator named a tenant that does not exist. Maps to 404. */
public class TenantNotFound extends NotFound {
    public TenantNotFound(String id) {
        super("no tenant " + id);
    }
}
