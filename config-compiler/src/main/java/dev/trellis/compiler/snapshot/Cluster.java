package dev.trellis.compiler.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * A set of endpoints that rules send traffic to: one version of a service ({@code echo/v1}) or
 * all of it ({@code echo}), with the client-side policies that apply to it.
 *
 * @param name             {@code <service>} or {@code <service>/<version>}
 * @param service          the service
 * @param version          the version, or null for every version
 * @param identity         the SPIFFE ID its proxies present (checked when mTLS is on)
 * @param mtls             whether calls to it use mTLS (its proxies' inbound port)
 * @param loadBalancer     how to pick an endpoint
 * @param endpoints        known endpoints, sorted; static ones and those registered by proxies
 * @param circuitBreaker   circuit breaker, or null
 * @param outlierDetection outlier ejection, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Cluster(String name, String service, String version, String identity, boolean mtls,
                      LoadBalancer loadBalancer, List<Endpoint> endpoints, CircuitBreaker circuitBreaker,
                      OutlierDetection outlierDetection) {
    public Cluster {
        endpoints = List.copyOf(endpoints);
    }

    /** An address to send to. */
    public record Endpoint(String address, int port) {
    }

    public enum LoadBalancer { ROUND_ROBIN, LEAST_REQUEST, EWMA }
}
