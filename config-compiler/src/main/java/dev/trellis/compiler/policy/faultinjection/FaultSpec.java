package dev.trellis.compiler.policy.faultinjection;

import dev.trellis.compiler.policy.PolicyBody;
import dev.trellis.compiler.policy.PolicyLevel;
import dev.trellis.compiler.policy.PolicySlots;
import dev.trellis.compiler.snapshot.Fault;

/**
 * A {@code FAULT_INJECTION} policy's spec, also a route rule's {@code fault}. On a service it is
 * injected by the service's own proxy on inbound calls; on a route or rule, by the callers' proxies.
 */
public record FaultSpec(Fault fault) implements PolicyBody {
    @Override
    public void applyTo(PolicyLevel level, PolicySlots slots) {
        if (level == PolicyLevel.ROUTE || level == PolicyLevel.RULE) slots.ruleFault = fault;
        else slots.inboundFault = fault;
    }
}
