package dev.trellis.proxy.snapshot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.SnapshotConsistencyException;
import dev.trellis.compiler.snapshot.SnapshotJson;
import dev.trellis.proxy.routing.ActiveRoutes;
import dev.trellis.proxy.routing.RouteCompiler;
import dev.trellis.proxy.routing.RoutingTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns candidate snapshot bytes into the routes in force, or refuses them. A candidate that does
 * not parse, is inconsistent, or cannot be enforced is refused with a logged reason and the previous
 * snapshot stays in force. An applied snapshot is persisted so a restart starts from it.
 */
public final class SnapshotApplier {
    private static final Logger log = LoggerFactory.getLogger(SnapshotApplier.class);

    private final RouteCompiler compiler;
    private final ActiveRoutes routes;
    private final SnapshotStore store;
    private final Consumer<SnapshotApplied> followers;

    /**
     * @param dataDir   where the applied snapshot is kept for the next start
     * @param followers told of each snapshot once it is in force (the inbound and tcp listeners, TLS, meters)
     */
    public SnapshotApplier(RouteCompiler compiler, ActiveRoutes routes, Path dataDir, Consumer<SnapshotApplied> followers) {
        this.compiler = compiler;
        this.routes = routes;
        this.store = new SnapshotStore(dataDir);
        this.followers = followers;
    }

    /** Puts the snapshot the last run applied in force, if the data directory has one: a restart enforces it before any source answers. */
    public void applyStored() {
        store.load().ifPresent(bytes -> apply(bytes, "the stored snapshot"));
    }

    /** The outcome of one candidate: applied (with its version) or refused (with the reason). */
    public record Outcome(boolean applied, String version, String reason) {
    }

    public synchronized Outcome apply(byte[] candidate, String origin) {
        Snapshot snapshot;
        try {
            snapshot = SnapshotJson.read(candidate);
        } catch (SnapshotConsistencyException e) {
            return refuse(origin, String.join("; ", e.problems()));
        } catch (RuntimeException e) {
            return refuse(origin, "not a snapshot: " + firstLine(e.getMessage()));
        }
        RoutingTable current = routes.current();
        if (current != null && snapshot.version() != null && Objects.equals(current.snapshot().version(), snapshot.version())) {
            return new Outcome(true, snapshot.version(), "unchanged");
        }
        RoutingTable table;
        try {
            table = compiler.compile(snapshot);
        } catch (RuntimeException e) {
            return refuse(origin, "cannot be enforced: " + firstLine(e.getMessage()));
        }
        routes.install(table);
        followers.accept(new SnapshotApplied(snapshot));
        try {
            store.save(candidate);
        } catch (IOException e) {
            log.warn("snapshot {} applied but not saved to {}: {}", snapshot.version(), store.path(), e.toString());
        }
        log.info("applied snapshot {} of {}/{} from {}", snapshot.version(), snapshot.mesh(), snapshot.service(), origin);
        return new Outcome(true, snapshot.version(), null);
    }

    private static Outcome refuse(String origin, String reason) {
        log.warn("refused snapshot from {}: {}; the previous snapshot stays in force", origin, reason);
        return new Outcome(false, null, reason);
    }

    private static String firstLine(String message) {
        if (message == null) return "unknown error";
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
