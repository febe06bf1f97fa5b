package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.Inbound;
import dev.trellis.compiler.snapshot.RouteRule;

import java.util.List;

/**
 * What a simulated request gets.
 *
 * @param destination the service the host names, or null when the source may not call it (not in its scope)
 * @param rule        the first matching rule with every policy resolved (timeout, retry, fault, rate limit,
 *                    mirror), or null when there is no destination
 * @param backends    where the rule sends it, with weights, each backend's share and known endpoints
 * @param access      the destination's access decision for this caller, path and method, or null
 * @param inbound     the destination's inbound side (rate limit, fault), or null
 * @param notes       explanations, e.g. why there is no destination
 */
public record SimulationResult(String destination, RouteRule rule, List<Backend> backends, AccessDecision access,
                               Inbound inbound, List<String> notes) {
    public SimulationResult {
        backends = List.copyOf(backends);
        notes = List.copyOf(notes);
    }

    /**
     * @param cluster   cluster name ({@code echo/v2})
     * @param weight    the weight declared
     * @param percent   its share of the rule's traffic, 0–100
     * @param endpoints its known endpoints
     */
    public record Backend(String cluster, int weight, double percent, List<Cluster.Endpoint> endpoints) {
        public Backend {
            endpoints = List.copyOf(endpoints);
        }
    }

    /**
     * @param action ALLOW or DENY
     * @param policy the policy whose rule decided, or null when the default applied
     */
    public record AccessDecision(AccessControl.Action action, String policy) {
    }
}
