package dev.trellis.controlplane.service;

import dev.trellis.compiler.MeshState;
import dev.trellis.compiler.RouteSpec;

import java.util.List;
import java.util.Objects;

/** Which routes of a mesh send traffic to a service: as their target, a backend or a mirror. */
public final class ServiceReferences {
    private ServiceReferences() {
    }

    public static List<String> routesUsing(MeshState state, String service) {
        return state.routes().entrySet().stream()
                .filter(route -> uses(route.getValue(), service))
                .map(route -> "routes/" + route.getKey())
                .toList();
    }

    private static boolean uses(RouteSpec route, String service) {
        if (service.equals(route.service())) return true;
        return route.rules().stream().anyMatch(rule ->
                rule.backends().stream().anyMatch(b -> service.equals(b.service()))
                        || (rule.mirror() != null && Objects.equals(service, rule.mirror().service())));
    }
}
