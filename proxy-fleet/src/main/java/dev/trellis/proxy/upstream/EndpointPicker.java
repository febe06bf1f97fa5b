package dev.trellis.proxy.upstream;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import dev.trellis.compiler.snapshot.Cluster;

/** Chooses one endpoint among the cluster's available ones (never an empty list). */
interface EndpointPicker {

    EndpointState pick(List<EndpointState> candidates);

    static EndpointPicker of(Cluster.LoadBalancer algorithm) {
        return switch (algorithm == null ? Cluster.LoadBalancer.ROUND_ROBIN : algorithm) {
            case ROUND_ROBIN -> new RoundRobin();
            case LEAST_REQUEST -> twoChoices(e -> e.inFlight.get());
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

    final class RoundRobin implements EndpointPicker {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public EndpointState pick(List<EndpointState> candidates) {
            return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
        }
    }
}
