package dev.trellis.proxy.snapshot;

import dev.trellis.compiler.snapshot.Snapshot;

/** Published after a snapshot is in force, for the parts that follow it (inbound listener, TLS). */
public record SnapshotApplied(Snapshot snapshot) {
}
