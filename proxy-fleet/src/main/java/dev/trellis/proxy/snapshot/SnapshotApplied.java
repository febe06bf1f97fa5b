package dev.trellis.proxy.snapshot;

import dev.trellis.compiler.snapshot.Snapshot;

/** A snapshot now in force, for the parts that follow it (inbound listener, TLS). */
public record SnapshotApplied(Snapshot snapshot) {
}
