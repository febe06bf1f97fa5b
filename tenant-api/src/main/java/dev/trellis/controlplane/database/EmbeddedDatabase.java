package dev.trellis.controlplane.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A real PostgreSQL started from the embedded binaries, with its data directory under
 * {@code TRELLIS_HOME/postgres} so data survives restarts. The port is remembered in
 * {@code TRELLIS_HOME/postgres.port} and reused while it is free.
 */
final class EmbeddedDatabase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

    private final EmbeddedPostgres postgres;

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    static EmbeddedDatabase start(TrellisHome home) {
        Path data = home.resolve("postgres");
        try {
            Files.createDirectories(home.root());
            removeStalePid(data);
            int port = port(home.resolve("postgres.port"));
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(data)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "60")
                    .start();
            log.info("Embedded PostgreSQL on 127.0.0.1:{} with data in {}", port, data);
            return new EmbeddedDatabase(postgres);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + data, e);
        }
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            log.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
        }
    }

    /** After a crash postmaster.pid stays behind; PostgreSQL refuses to start while it names a live process. */
    private static void removeStalePid(Path data) throws IOException {
        Path pidFile = data.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) return;
        Optional<Long> pid = Files.readAllLines(pidFile).stream().findFirst().map(String::strip).map(Long::valueOf);
        boolean alive = pid.flatMap(ProcessHandle::of)
                .map(p -> p.isAlive() && p.info().command().orElse("").contains("postgres"))
                .orElse(false);
        if (alive) {
            throw new IllegalStateException("another PostgreSQL (pid " + pid.get() + ") is using " + data
                    + "; is another control plane running with the same TRELLIS_HOME?");
        }
        log.warn("Removing stale {} left by a process that is gone", pidFile);
        Files.delete(pidFile);
    }

    private static int port(Path remembered) throws IOException {
        if (Files.exists(remembered)) {
            int port = Integer.parseInt(Files.readString(remembered).strip());
            if (isFree(port)) return port;
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.writeString(remembered, port + "\n");
        return port;
    }

    private static boolean isFree(int port) {
        try (ServerSocket ignored = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
