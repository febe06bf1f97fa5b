package dev.trellis.controlplane.fleet;

/** One service's snapshot in one tenant's mesh: what a long poll waits for and a notification names. */
record SnapshotKey(String tenantId, String mesh, String service) {
}
