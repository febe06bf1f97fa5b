package dev.trellis.proxy.upstream;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import dev.trellis.compiler.snapshot.Cluster;

/**
 * Chooses one endpoint among the cluster's available ones (never an empty list). Every algorithm
 * learns from gateway failures (connect failures, resets, timeouts): EWMA through the failure's
 * penalty in the latency average, least-request through a fading multiplier of the load, round
 * robin by passing over an endpoint that failed recently.
 */
interface EndpointPicker {

    EndpointState pick(List<EndpointState> candidates);

    static EndpointPicker of(Cluster.LoadBalancer algorithm) {
        return switch (algorithm == null ? Cluster.LoadBalancer.ROUND_ROBIN : algorithm) {
            case ROUND_ROBIN -> new RoundRobin();
            case LEAST_REQUEST -> twoChoices(EndpointState::load);
            case EWMA -> twoChoices(EndpointState::cost);
        };
    }

    /**
     * Power of two choices: compare two random endpoints and take the cheaper. Nearly as good as
     * scanning all, without every proxy herding onto the same "best" endpoint.
     */
    private static EndpointPicker twoChoices(java.util.function.ToDoubleFunction<EndpointState> cost) {
        return candidates -> {
            int n = candidates.size();
            if (n == 1) return candidates.get(0);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int a = random.nextInt(n);
            int b = random.nextInt(n - 1);
            if (b >= a) b++;
            EndpointState first = candidates.get(a);
            EndpointState second = candidates.get(b);
            return cost.applyAsDouble(first) <= cost.applyAsDouble(second) ? first : second;
        };
    }

    /** In turn, passing over an endpoint whose recent gateway failures have not faded while another has none. */
    final class RoundRobin implements EndpointPicker {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public EndpointState pick(List<EndpointState> candidates) {
            int n = candidates.size();
            int start = next.getAndIncrement();
            EndpointState first = candidates.get(Math.floorMod(start, n));
            if (!first.suspect()) return first;
            for (int i = 1; i < n; i++) {
                EndpointState other = candidates.get(Math.floorMod(start + i, n));
                if (!other.suspect()) return other;
            }
            return first;
        }
    }
}
