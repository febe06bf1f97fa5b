package dev.trellis.compiler.policy.loadbalancer;

import dev.trellis.compiler.document.ObjectReader;
import dev.trellis.compiler.policy.PolicyKind;
import dev.trellis.compiler.snapshot.Cluster;

/** {@code LOAD_BALANCER}: how callers pick an endpoint of a service. Service targets only; overrides the service's own field. */
public final class LoadBalancerKind extends PolicyKind {
    public LoadBalancerKind() {
        super("LOAD_BALANCER", false, "loadBalancer");
    }

    @Override
    public LoadBalancerSpec read(ObjectReader spec) {
        return of(spec);
    }

    /** Reads {@code {"algorithm": ...}}. */
    public static LoadBalancerSpec of(ObjectReader spec) {
        Cluster.LoadBalancer algorithm = spec.enumValue("algorithm", Cluster.LoadBalancer.class, true);
        return algorithm == null ? null : new LoadBalancerSpec(algorithm);
    }
}
