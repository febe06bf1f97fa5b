package dev.trellis.controlplane.mesh;

/**
 * A service was deleted, inside the transaction that deletes it: whatever belongs to it (its
 * proxies, their tokens and endpoints, its unused join tokens) is revoked by its owner's listener in
 * the same transaction, so a service created again under the same name starts with nothing.
 */
public record ServiceDeleted(String tenantId, String mesh, String service) {
}
