package dev.trellis.compiler;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything one tenant declared for one mesh, plus the endpoints its proxies registered: the
 * compiler's only input.
 *
 * @param tenant              the tenant's id, used in SPIFFE identities
 * @param mesh                the mesh's name
 * @param spec                the mesh document
 * @param services            services by name
 * @param routes              routes by name
 * @param policies            policies by name
 * @param registeredEndpoints endpoints registered by proxies
 */
public record MeshState(String tenant, String mesh, MeshSpec spec, SortedMap<String, ServiceSpec> services,
                        SortedMap<String, RouteSpec> routes, SortedMap<String, PolicySpec> policies,
                        List<RegisteredEndpoint> registeredEndpoints) {
    public MeshState {
        services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
        routes = Collections.unmodifiableSortedMap(new TreeMap<>(routes));
        policies = Collections.unmodifiableSortedMap(new TreeMap<>(policies));
        registeredEndpoints = List.copyOf(registeredEndpoints);
    }

    /** The SPIFFE ID of one of the mesh's services. */
    public String identityOf(String service) {
        return "spiffe://" + tenant + ".trellis/mesh/" + mesh + "/service/" + service;
    }
}
