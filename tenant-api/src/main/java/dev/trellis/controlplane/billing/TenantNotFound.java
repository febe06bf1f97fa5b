package dev.trellis.controlplane.billing;

/** The operator named a tenant that does not exist. Maps to 404. */
public class TenantNotFound extends RuntimeException {
    public TenantNotFound(String id) {
        super("no tenant " + id, null, false, false);
    }
}
