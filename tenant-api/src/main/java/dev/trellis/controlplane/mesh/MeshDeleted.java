package dev.trellis.controlplane.mesh;

/** A mesh is being deleted, inside the transaction that deletes it, before its rows go (see {@link ServiceDeleted}). */
public record MeshDeleted(String tenantId, String mesh) {
}
