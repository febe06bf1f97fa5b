package dev.trellis.compiler.snapshot;

/** Copies a share of the rule's requests to another cluster, fire and forget; responses are dropped. */
public record Mirror(String cluster, double percent) {
}
