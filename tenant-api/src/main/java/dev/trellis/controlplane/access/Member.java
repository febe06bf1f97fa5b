package dev.trellis.controlplane.access;

import java.time.Instant;

/** A person (OIDC subject) and their role in the tenant. */
public record Member(String subject, Role role, Instant createdAt, Instant updatedAt) {
}
