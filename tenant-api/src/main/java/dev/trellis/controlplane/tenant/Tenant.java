package dev.trellis.controlplane.tenant;

import java.time.Instant;

/** A customer of Trellis; every other resource belongs to exactly one. */
public record Tenant(String id, String name, Instant createdAt) {
}
