package dev.trellis.compiler.snapshot;

/** A backend of a rule: a cluster name from {@link Snapshot#clusters()} and its relative weight. */
public record WeightedCluster(String cluster, int weight) {
}
