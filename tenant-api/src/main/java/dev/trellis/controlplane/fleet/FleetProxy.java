package dev.trellis.controlplane.fleet;

/**
 * A registered proxy, as authenticated by its proxy token: what it may read is exactly its own
 * service's snapshot in its own tenant's mesh. Public as the principal of fleet calls that other
 * features serve ({@code POST /v1/fleet/usage}).
 */
public record FleetProxy(String id, String tenantId, String mesh, String service, String version) {
    /** The long polls waiting for this snapshot share this key. */
    SnapshotKey snapshotKey() {
        return new SnapshotKey(tenantId, mesh, service);
    }
}
