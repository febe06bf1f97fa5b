package dev.trellis.controlplane.snapshot;

import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.SnapshotJson;
import dev.trellis.controlplane.database.TenantTransactions;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Compiled snapshots, one per service, stored as their canonical bytes and served unchanged.
 * A snapshot whose version did not change is not rewritten, so its proxies are not woken.
 */
@Repository
class SnapshotStore {
    private final JdbcClient jdbc;
    private final JdbcTemplate batch;

    SnapshotStore(JdbcClient jdbc, JdbcTemplate batch) {
        this.jdbc = jdbc;
        this.batch = batch;
    }

    /** The stored bytes and version of one service's snapshot. */
    record Stored(String version, byte[] body) {
    }

    Optional<Stored> find(String tenantId, String mesh, String service) {
        return jdbc.sql("SELECT version, body FROM snapshots WHERE tenant_id = ? AND mesh = ? AND service = ?")
                .params(tenantId, mesh, service)
                .query((rs, n) -> new Stored(rs.getString(1), rs.getBytes(2)))
                .optional();
    }

    Map<String, Snapshot> current(String tenantId, String mesh) {
        Map<String, Snapshot> snapshots = new TreeMap<>();
        jdbc.sql("SELECT service, body FROM snapshots WHERE tenant_id = ? AND mesh = ?")
                .params(tenantId, mesh)
                .query(rs -> {
                    snapshots.put(rs.getString(1), SnapshotJson.read(rs.getBytes(2)));
                });
        return snapshots;
    }

    /** Service → stored version, without reading the bodies. */
    Map<String, String> versions(String tenantId, String mesh) {
        Map<String, String> versions = new TreeMap<>();
        jdbc.sql("SELECT service, version FROM snapshots WHERE tenant_id = ? AND mesh = ?")
                .params(tenantId, mesh)
                .query(rs -> {
                    versions.put(rs.getString(1), rs.getString(2));
                });
        return versions;
    }

    /** Stores what changed between the stored {@code before} versions and {@code after}: new or re-versioned snapshots, and removals. */
    void replace(String tenantId, String mesh, Map<String, String> before, Map<String, Snapshot> after) {
        Timestamp now = Timestamp.from(TenantTransactions.now());
        // One batch: a route change can re-version the snapshot of every service that calls its target.
        List<Object[]> changed = after.entrySet().stream()
                .filter(e -> !e.getValue().version().equals(before.get(e.getKey())))
                .map(e -> new Object[]{tenantId, mesh, e.getKey(), e.getValue().version(), SnapshotJson.write(e.getValue()), now})
                .toList();
        if (!changed.isEmpty()) {
            batch.batchUpdate("""
                    INSERT INTO snapshots (tenant_id, mesh, service, version, body, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (tenant_id, mesh, service) DO UPDATE
                    SET version = excluded.version, body = excluded.body, updated_at = excluded.updated_at""", changed);
        }
        List<Object[]> removed = before.keySet().stream().filter(service -> !after.containsKey(service))
                .map(service -> new Object[]{tenantId, mesh, service})
                .toList();
        if (!removed.isEmpty()) {
            batch.batchUpdate("DELETE FROM snapshots WHERE tenant_id = ? AND mesh = ? AND service = ?", removed);
        }
    }
}
