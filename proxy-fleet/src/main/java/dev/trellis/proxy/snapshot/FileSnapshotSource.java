package dev.trellis.proxy.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a snapshot file and re-reads it when it changes. Polls the file's modification time and size
 * instead of using a WatchService, because editors and deploy tools replace files by rename, which
 * watch services report inconsistently across file systems.
 */
final class FileSnapshotSource implements SnapshotSource {
    private static final Logger log = LoggerFactory.getLogger(FileSnapshotSource.class);

    private final Path file;
    private final Duration period;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "snapshot-file");
        t.setDaemon(true);
        return t;
    });
    private String lastStamp = "";
    private byte[] lastBytes = new byte[0];

    FileSnapshotSource(Path file, Duration period) {
        this.file = file;
        this.period = period;
    }

    @Override
    public void start(Consumer<byte[]> onCandidate) {
        poller.execute(() -> poll(onCandidate));
        poller.scheduleWithFixedDelay(() -> poll(onCandidate), period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void poll(Consumer<byte[]> onCandidate) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            String stamp = attributes.lastModifiedTime().toMillis() + "/" + attributes.size() + "/" + attributes.fileKey();
            if (stamp.equals(lastStamp)) return;
            lastStamp = stamp;
            byte[] bytes = Files.readAllBytes(file);
            if (Arrays.equals(bytes, lastBytes)) return;
            lastBytes = bytes;
            onCandidate.accept(bytes);
        } catch (IOException e) {
            log.warn("cannot read snapshot file {}: {}", file, e.toString());
        } catch (RuntimeException e) {
            log.error("snapshot file {} could not be handled", file, e);
        }
    }

    @Override
    public String describe() {
        return "file " + file;
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
