package dev.trellis.compiler;

import dev.trellis.compiler.policy.loadbalancer.LoadBalancerSpec;

import java.util.List;

/**
 * A service document.
 *
 * @param protocol     {@code http} (default), {@code grpc} or {@code tcp} (opaque bytes: see {@link TcpSemantics})
 * @param port         the port its app listens on
 * @param versions     named subsets, e.g. {@code v1}, {@code v2}
 * @param loadBalancer how callers pick an endpoint, or null for the default (ROUND_ROBIN)
 * @param endpoints    static endpoints (external services); others register through their proxies
 * @param dependsOn    the services it calls, narrowing its snapshot; null when not declared
 */
public record ServiceSpec(String protocol, int port, List<Version> versions, LoadBalancerSpec loadBalancer,
                          List<Endpoint> endpoints, List<String> dependsOn) {
    /** The protocol of services whose connections are opaque byte streams. */
    public static final String TCP = "tcp";

    public boolean tcp() {
        return TCP.equals(protocol);
    }

    public ServiceSpec {
        versions = List.copyOf(versions);
        endpoints = List.copyOf(endpoints);
        dependsOn = dependsOn == null ? null : List.copyOf(dependsOn);
    }

    /** A named subset of the service's endpoints. */
    public record Version(String name) {
    }

    /** A static endpoint; {@code version} may be null when the service has no versions. */
    public record Endpoint(String address, int port, String version) {
    }

    /** Whether the service declares this version. */
    public boolean hasVersion(String name) {
        for (Version v : versions) if (v.name().equals(name)) return true;
        return false;
    }
}
