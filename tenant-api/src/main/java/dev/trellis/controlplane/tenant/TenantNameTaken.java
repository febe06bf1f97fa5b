package dev.trellis.controlplane.tenant;

/** Another tenant already has this name. Maps to 409. */
public class TenantNameTaken extends RuntimeException {
    public TenantNameTaken(String name) {
        super("a tenant named " + name + " already exists", null, false, false);
    }
}
