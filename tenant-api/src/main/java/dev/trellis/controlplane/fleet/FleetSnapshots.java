package dev.trellis.controlplane.fleet;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.Optional;

/** Reads the compiled snapshot a proxy receives, as stored by the compiler's side: bytes served unchanged. */
@Repository
class FleetSnapshots {
    private final JdbcClient jdbc;

    FleetSnapshots(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record Current(String version, byte[] body) {
    }

    /** Runs inside the key's tenant transaction. */
    Optional<Current> find(SnapshotKey key) {
        return jdbc.sql("SELECT version, body FROM snapshots WHERE tenant_id = ? AND mesh = ? AND service = ?")
                .params(key.tenantId(), key.mesh(), key.service())
                .query((rs, n) -> new Current(rs.getString(1), rs.getBytes(2)))
                .optional();
    }
}
