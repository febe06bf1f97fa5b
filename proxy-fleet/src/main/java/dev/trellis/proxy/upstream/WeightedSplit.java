package dev.trellis.proxy.upstream;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import dev.trellis.compiler.snapshot.WeightedCluster;

/** Picks a rule's backend cluster in proportion to the weights. */
final class WeightedSplit {
    private final ClusterRuntime[] clusters;
    private final int[] upperBounds;
    private final int total;

    WeightedSplit(List<WeightedCluster> backends, Map<String, ClusterRuntime> runtimes) {
        List<WeightedCluster> weighted = backends.stream().filter(b -> b.weight() > 0).toList();
        clusters = new ClusterRuntime[weighted.size()];
        upperBounds = new int[weighted.size()];
        int sum = 0;
        for (int i = 0; i < weighted.size(); i++) {
            clusters[i] = runtimes.get(weighted.get(i).cluster());
            sum += weighted.get(i).weight();
            upperBounds[i] = sum;
        }
        total = sum;
    }

    ClusterRuntime pick() {
        if (clusters.length == 1) return clusters[0];
        int ticket = ThreadLocalRandom.current().nextInt(total);
        for (int i = 0; i < upperBounds.length; i++) {
            if (ticket < upperBounds[i]) return clusters[i];
        }
        return clusters[clusters.length - 1];
    }
}
