package dev.trellis.compiler.policy.loadbalancer;

import dev.trellis.compiler.policy.PolicyBody;
import dev.trellis.compiler.policy.PolicyLevel;
import dev.trellis.compiler.policy.PolicySlots;
import dev.trellis.compiler.snapshot.Cluster;

/** A {@code LOAD_BALANCER} policy's spec ({@code {"algorithm": "EWMA"}}), also a service's {@code loadBalancer}. */
public record LoadBalancerSpec(Cluster.LoadBalancer algorithm) implements PolicyBody {
    @Override
    public void applyTo(PolicyLevel level, PolicySlots slots) {
        slots.loadBalancer = algorithm;
    }
}
