package dev.trellis.controlplane.billing;

import dev.trellis.billing.Limits;
import dev.trellis.controlplane.web.RequestDocument;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;

/**
 * {@code {"plan": "team", "version": 1, "effectiveFrom": "2026-12-01T00:00:00Z"}}, and for the operator
 * {@code "limits": {"meshes": 50, "services": 2000, "connectedProxies": 5000}}; every violation is collected.
 */
record PlanRequest(String plan, Integer version, Instant effectiveFrom, Limits limits) {
    private static final Set<String> LIMITS = Set.of("meshes", "services", "connectedProxies");

    static PlanRequest parse(JsonNode body, boolean operator) {
        RequestDocument document = new RequestDocument(body, operator
                ? Set.of("plan", "version", "effectiveFrom", "limits") : Set.of("plan", "version", "effectiveFrom"));
        String plan = document.text("plan");
        Integer version = null;
        JsonNode versionNode = body.get("version");
        if (versionNode != null && !versionNode.isNull()) {
            if (versionNode.isInt() && versionNode.asInt() > 0) version = versionNode.asInt();
            else document.violation("version", "must be a positive integer");
        }
        Instant effectiveFrom = document.optionalText("effectiveFrom").flatMap(text -> instant(text).or(() -> {
            document.violation("effectiveFrom", "must be an RFC 3339 time such as 2026-12-01T00:00:00Z");
            return Optional.empty();
        })).orElse(null);
        Limits limits = Limits.none();
        JsonNode limitsNode = body.get("limits");
        if (operator && limitsNode != null && !limitsNode.isNull()) {
            if (!limitsNode.isObject()) {
                document.violation("limits", "must be an object");
            } else {
                for (String field : limitsNode.propertyNames()) {
                    if (!LIMITS.contains(field)) document.violation("limits." + field, "unknown field");
                }
                limits = new Limits(limit(limitsNode, "meshes", document), limit(limitsNode, "services", document),
                        limit(limitsNode, "connectedProxies", document));
            }
        }
        document.check();
        return new PlanRequest(plan, version, effectiveFrom, limits);
    }

    static Optional<Instant> instant(String text) {
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Integer limit(JsonNode limits, String field, RequestDocument document) {
        JsonNode value = limits.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isInt() || value.asInt() < 0) {
            document.violation("limits." + field, "must be a non-negative integer");
            return null;
        }
        return value.asInt();
    }
}
