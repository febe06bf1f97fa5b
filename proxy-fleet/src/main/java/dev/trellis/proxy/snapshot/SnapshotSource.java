package dev.trellis.proxy.snapshot;

import java.util.function.Consumer;

/**
 * Where snapshots come from: a file now, the control plane's long poll later. A source hands every
 * new candidate (raw bytes, unchecked) to the consumer; accepting or refusing it is the applier's job.
 */
public interface SnapshotSource extends AutoCloseable {

    /** Starts delivering candidates to {@code onCandidate}, from a background thread. */
    void start(Consumer<byte[]> onCandidate);

    /** What this source is, for logs. */
    String describe();

    @Override
    void close();
}
