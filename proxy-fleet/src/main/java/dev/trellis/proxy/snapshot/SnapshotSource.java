package dev.trellis.proxy.snapshot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

import org.slf4j.LoggerFactory;

/**
 * Where snapshots come from: a file now, the control plane's long poll later. A source hands every
 * new candidate (raw bytes, unchecked) to the consumer; accepting or refusing it is the applier's job.
 */
public interface SnapshotSource extends AutoCloseable {

    /** Starts delivering candidates to {@code onCandidate}, from a background thread. */
    void start(Consumer<byte[]> onCandidate);

    /** What this source is, for logs. */
    String describe();

    /**
     * Called when the proxy stops, before any of its ports closes: a source that advertised this
     * proxy to callers takes it back here and waits for them to hear of it.
     */
    default void withdraw() {
    }

    /** The file at {@code file}, checked every {@code period}; without a file, none: the proxy runs from its stored snapshot. */
    static SnapshotSource of(Path file, Duration period) {
        if (file != null) return new FileSnapshotSource(file, period);
        return new SnapshotSource() {
            @Override
            public void start(Consumer<byte[]> onCandidate) {
                LoggerFactory.getLogger(SnapshotSource.class).warn("no TRELLIS_SNAPSHOT_FILE: running from the last stored snapshot only");
            }

            @Override
            public String describe() {
                return "none";
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    void close();
}
