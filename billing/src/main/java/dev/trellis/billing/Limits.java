package dev.trellis.billing;

/**
 * What a plan allows at once; {@code null} means custom (no plan-wide number: the operator sets it
 * per tenant, as for enterprise), and an unset custom limit does not limit.
 */
public record Limits(Integer meshes, Integer services, Integer connectedProxies) {

    /** These limits with each non-null value of {@code custom} in place of the plan's. */
    public Limits overriddenBy(Limits custom) {
        return new Limits(custom.meshes != null ? custom.meshes : meshes,
                custom.services != null ? custom.services : services,
                custom.connectedProxies != null ? custom.connectedProxies : connectedProxies);
    }

    public static Limits none() {
        return new Limits(null, null, null);
    }
}
