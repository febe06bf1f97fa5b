package dev.trellis.controlplane.access;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/** A stored API key as listed: never its secret, which only the creating answer shows. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiKey(String id, String name, Role role, String createdBy, Instant createdAt, Instant revokedAt) {
}
