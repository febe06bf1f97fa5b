package dev.trellis.controlplane.injection;

import dev.trellis.controlplane.web.ApiViolation;
import dev.trellis.controlplane.web.InvalidRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An injector as declared: {@code {"mode": "redirect" | "explicit", "failurePolicy": "Ignore" | "Fail",
 * "nativeSidecars": true}}, every field optional with these defaults (redirect, Ignore, true).
 *
 * @param mode           {@code redirect}: an init container writes iptables rules, the app is unaware;
 *                       {@code explicit}: the app gets {@code HTTP_PROXY} and no container needs {@code NET_ADMIN}
 * @param failurePolicy  what the API server does when the webhook cannot be reached
 * @param nativeSidecars the proxy as an init container with {@code restartPolicy: Always} (Kubernetes 1.29+);
 *                       false for older clusters: a plain sidecar container
 */
record InjectorSpec(String mode, String failurePolicy, boolean nativeSidecars) {
    static final String REDIRECT = "redirect";
    static final String EXPLICIT = "explicit";
    private static final Set<String> FIELDS = Set.of("mode", "failurePolicy", "nativeSidecars");

    boolean redirect() {
        return mode.equals(REDIRECT);
    }

    /** @throws InvalidRequest listing every violation */
    static InjectorSpec parse(JsonNode document) {
        List<ApiViolation> violations = new ArrayList<>();
        for (String field : document.propertyNames()) {
            if (!FIELDS.contains(field)) violations.add(ApiViolation.at(field, "unknown field"));
        }
        String mode = choice(document, "mode", REDIRECT, Set.of(REDIRECT, EXPLICIT), violations);
        String failurePolicy = choice(document, "failurePolicy", "Ignore", Set.of("Ignore", "Fail"), violations);
        JsonNode nativeSidecars = document.get("nativeSidecars");
        if (nativeSidecars != null && !nativeSidecars.isBoolean()) {
            violations.add(ApiViolation.at("nativeSidecars", "must be true or false"));
        }
        if (!violations.isEmpty()) throw new InvalidRequest(violations);
        return new InjectorSpec(mode, failurePolicy, nativeSidecars == null || nativeSidecars.asBoolean());
    }

    /** The document as stored: every field written out, so a read shows what is in force. */
    ObjectNode document() {
        return JsonNodeFactory.instance.objectNode()
                .put("mode", mode)
                .put("failurePolicy", failurePolicy)
                .put("nativeSidecars", nativeSidecars);
    }

    private static String choice(JsonNode document, String field, String fallback, Set<String> allowed,
                                 List<ApiViolation> violations) {
        JsonNode value = document.get(field);
        if (value == null || value.isNull()) return fallback;
        if (!value.isString() || !allowed.contains(value.asString())) {
            violations.add(ApiViolation.at(field, "must be one of " + String.join(", ", new java.util.TreeSet<>(allowed))));
            return fallback;
        }
        return value.asString();
    }
}
