package dev.trellis.compiler;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Builds a {@link MeshState} from API documents, parsed with {@link Documents} as the control plane does. */
final class MeshBuilder {
    private final String mesh;
    private MeshSpec spec = MeshSpec.of(dev.trellis.compiler.snapshot.MtlsMode.PERMISSIVE);
    private final TreeMap<String, ServiceSpec> services = new TreeMap<>();
    private final TreeMap<String, RouteSpec> routes = new TreeMap<>();
    private final TreeMap<String, PolicySpec> policies = new TreeMap<>();
    private final List<RegisteredEndpoint> endpoints = new ArrayList<>();

    private MeshBuilder(String mesh) {
        this.mesh = mesh;
    }

    static MeshBuilder mesh(String name, String doc) {
        MeshBuilder b = new MeshBuilder(name);
        b.spec = ok(Documents.mesh(Json.of(doc)));
        return b;
    }

    MeshBuilder service(String name, String doc) {
        services.put(name, ok(Documents.service(Json.of(doc))));
        return this;
    }

    MeshBuilder route(String name, String doc) {
        routes.put(name, ok(Documents.route(Json.of(doc))));
        return this;
    }

    MeshBuilder policy(String name, String doc) {
        policies.put(name, ok(Documents.policy(Json.of(doc))));
        return this;
    }

    MeshBuilder endpoint(String service, String version, String address, int port) {
        endpoints.add(new RegisteredEndpoint(service, version, address, port));
        return this;
    }

    MeshState build() {
        return new MeshState("t1", mesh, spec, services, routes, policies, endpoints);
    }

    private static <T> T ok(Parsed<T> parsed) {
        assertThat(parsed.violations()).isEmpty();
        return parsed.value();
    }
}
