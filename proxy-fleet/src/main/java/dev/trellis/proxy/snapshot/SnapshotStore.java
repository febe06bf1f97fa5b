package dev.trellis.proxy.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/** The last applied snapshot on disk, so a restarted proxy enforces it before any source answers. */
final class SnapshotStore {
    private final Path file;

    SnapshotStore(Path dataDir) {
        this.file = dataDir.resolve("snapshot.json");
    }

    Optional<byte[]> load() {
        try {
            return Files.exists(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Writes through a temporary file and a rename, so a crash never leaves half a snapshot. */
    void save(byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Path temporary = file.resolveSibling("snapshot.json.tmp");
        Files.write(temporary, bytes);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    Path path() {
        return file;
    }
}
