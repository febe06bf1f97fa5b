package dev.trellis.controlplane.fleet;

/**
 * A registered proxy, as authenticated by its proxy token: what it may read is exactly its own
 * service's snapshot in its own tenant's mesh. Public as the principal of fleet calls that other
 * features serve ({@code POST /v1/fleet/usage}).
 */
public record FleetProxy(String id, String tenantId, String mesh, String service, String version) {
    /**
     * The request attribute holding the SHA-256 of the proxy token that authenticated the request (what
     * {@code proxies.secret_hash} stores), for a write that checks the proxy's row again in its own
     * transaction instead of trusting the authentication's cache.
     */
    public static final String TOKEN_HASH = "dev.trellis.fleet.tokenHash";

    /** The long polls waiting for this snapshot share this key. */
    SnapshotKey snapshotKey() {
        return new SnapshotKey(tenantId, mesh, service);
    }
}
