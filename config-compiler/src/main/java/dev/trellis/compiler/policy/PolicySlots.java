package dev.trellis.compiler.policy;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.compiler.snapshot.CircuitBreaker;
import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.Fault;
import dev.trellis.compiler.snapshot.OutlierDetection;
import dev.trellis.compiler.snapshot.RateLimit;
import dev.trellis.compiler.snapshot.Retry;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The compiled values that policies control, filled level by level (mesh default, service,
 * route, rule): each {@link PolicyBody} overwrites the slots it owns, so the last, most specific
 * level wins. Rule-side slots end up in a {@code RouteRule}, cluster-side ones in a
 * {@code Cluster}, inbound ones in the service's {@code Inbound}.
 */
public final class PolicySlots {
    private final UnaryOperator<String> identityOf;
    public long timeoutMs;
    public Retry retry;
    public Fault ruleFault;
    public RateLimit ruleRateLimit;
    public CircuitBreaker circuitBreaker;
    public OutlierDetection outlierDetection;
    public Cluster.LoadBalancer loadBalancer;
    public Fault inboundFault;
    public RateLimit inboundRateLimit;
    public final List<AccessControl.AccessRule> accessRules = new ArrayList<>();

    /** @param identityOf the SPIFFE ID of a service of this mesh, for access rules */
    public PolicySlots(UnaryOperator<String> identityOf) {
        this.identityOf = identityOf;
    }

    /** The SPIFFE ID of a service of the mesh being compiled. */
    public String identityOf(String service) {
        return identityOf.apply(service);
    }

    /** An independent copy, to specialise a service's values for one of its routes. */
    public PolicySlots copy() {
        PolicySlots c = new PolicySlots(identityOf);
        c.timeoutMs = timeoutMs;
        c.retry = retry;
        c.ruleFault = ruleFault;
        c.ruleRateLimit = ruleRateLimit;
        c.circuitBreaker = circuitBreaker;
        c.outlierDetection = outlierDetection;
        c.loadBalancer = loadBalancer;
        c.inboundFault = inboundFault;
        c.inboundRateLimit = inboundRateLimit;
        c.accessRules.addAll(accessRules);
        return c;
    }
}
