package dev.trellis.controlplane.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * One accepted change: who made it, when, to what, and the document before and after
 * (null before a creation, null after a deletion). Secrets never appear in either.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditEvent(String id, Instant at, String actor, String action, String resource,
                         JsonNode before, JsonNode after) {
}
