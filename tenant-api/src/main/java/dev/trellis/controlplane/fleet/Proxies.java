package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.access.MintedCredential;
import dev.trellis.controlplane.authority.MeshAuthority;
import dev.trellis.controlplane.database.TenantTransactions;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The proxies table: registered proxies and their certificate ({@link ProxyReports} writes what they applied or rejected, when last seen). */
@Repository
class Proxies {
    static final String KIND = "trp";
    private final JdbcClient jdbc;

    Proxies(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * One row of {@code GET /v1/meshes/{mesh}/proxies}: {@code state} is {@code STALE} when the proxy
     * has been silent for longer than the endpoint TTL, else {@code ACTIVE}; {@code endpoint} is what
     * callers' snapshots hold for it, or null. {@code lastReportAt} and {@code requestRate} (requests
     * per second over its last usage report's window) come from the telemetry feature's
     * {@code usage_reports}, null before the first report.
     */
    record Listed(String id, String service, String version, String appliedVersion, String rejectedVersion,
                  String rejectionReason, Instant lastSeen, Instant certificateNotAfter, State state, Endpoint endpoint,
                  Instant lastReportAt, Double requestRate) {
    }

    enum State { ACTIVE, STALE }

    record Endpoint(String address, int port) {
    }

    /** The listing's columns and tables; its one parameter is the time before which a proxy is stale. */
    private static final String LISTED = """
            SELECT p.id, p.service, p.version, p.applied_version, p.rejected_version, p.rejection_reason, p.last_seen,
                   p.not_after, p.endpoint_address, p.endpoint_port, p.last_seen < ? AS stale, r.received_at,
                   (r.requests / NULLIF(EXTRACT(EPOCH FROM (r.window_end - r.window_start)), 0))::double precision
            FROM proxies p
            LEFT JOIN LATERAL (SELECT received_at, requests, window_start, window_end FROM usage_reports u
                               WHERE u.proxy_id = p.id ORDER BY u.sequence DESC LIMIT 1) r ON true
            """;

    void insert(String id, byte[] tokenHash, JoinTokens.Redeemed token, MeshAuthority.Issued issued, Instant now) {
        jdbc.sql("""
                        INSERT INTO proxies (id, tenant_id, mesh, service, version, secret_hash, fingerprint, not_after,
                                             registered_at, last_seen)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(id, token.tenantId(), token.mesh(), token.service(), token.version(), tokenHash,
                        issued.fingerprint(), Timestamp.from(issued.notAfter()), Timestamp.from(now), Timestamp.from(now))
                .update();
    }

    /** Takes the key-share lock on the proxy's mesh row that inserting the proxy would take anyway, but now. */
    void holdMesh(String tenantId, String mesh) {
        jdbc.sql("SELECT name FROM meshes WHERE tenant_id = ? AND name = ? FOR KEY SHARE")
                .params(tenantId, mesh).query(String.class).optional();
    }

    /** A proxy whose token matched, and when the certificate the token is bound to ends. */
    record Authenticated(FleetProxy proxy, Instant certificateNotAfter) {
    }

    /**
     * The proxy a token names, if the token matches and the certificate it is bound to is still
     * valid. Runs in a transaction whose {@code trellis.proxy_id} names the proxy.
     */
    Optional<Authenticated> authenticate(String id, String token, Instant now) {
        return authenticate(Map.of(id, token), now).stream().findFirst();
    }

    /**
     * As {@link #authenticate(String, String, Instant)} for many proxies in one query: those whose
     * token still matches and whose certificate is still valid. Runs in a transaction that may see
     * their rows (their tenant's).
     */
    List<Authenticated> authenticate(Map<String, String> tokenByProxyId, Instant now) {
        return jdbc.sql("""
                        SELECT id, tenant_id, mesh, service, version, secret_hash, not_after FROM proxies
                        WHERE id = ANY(?) AND revoked_at IS NULL""")
                .param(tokenByProxyId.keySet().toArray(String[]::new))
                .query((rs, n) -> MintedCredential.matches(tokenByProxyId.get(rs.getString(1)), rs.getBytes(6))
                        && now.isBefore(rs.getTimestamp(7).toInstant())
                        ? new Authenticated(new FleetProxy(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5)), rs.getTimestamp(7).toInstant())
                        : null)
                .list().stream().filter(Objects::nonNull).toList();
    }

    void renewed(FleetProxy proxy, MeshAuthority.Issued issued, Instant now) {
        jdbc.sql("UPDATE proxies SET fingerprint = ?, not_after = ?, last_seen = ? WHERE id = ?")
                .params(issued.fingerprint(), Timestamp.from(issued.notAfter()), Timestamp.from(now), proxy.id())
                .update();
    }

    /**
     * Revokes every proxy of one service: their tokens stop authenticating (so no poll, report or
     * renewal succeeds again) and their endpoints leave the mesh. Answers their ids.
     */
    List<String> revokeService(String tenantId, String mesh, String service, Instant now) {
        return jdbc.sql("""
                        UPDATE proxies SET revoked_at = ?, endpoint_address = NULL, endpoint_port = NULL
                        WHERE tenant_id = ? AND mesh = ? AND service = ? AND revoked_at IS NULL
                        RETURNING id""")
                .params(Timestamp.from(now), tenantId, mesh, service)
                .query(String.class)
                .list();
    }

    /** The ids of every proxy of a mesh, revoked or not (their rows go with the mesh). */
    List<String> ofMesh(String tenantId, String mesh) {
        return jdbc.sql("SELECT id FROM proxies WHERE tenant_id = ? AND mesh = ?")
                .params(tenantId, mesh)
                .query(String.class)
                .list();
    }

    List<Listed> list(String tenantId, String mesh, Duration ttl) {
        return jdbc.sql(LISTED + "WHERE p.tenant_id = ? AND p.mesh = ? AND p.revoked_at IS NULL ORDER BY p.service, p.id")
                .params(staleBefore(ttl), tenantId, mesh)
                .query(Proxies::listed)
                .list();
    }

    Optional<Listed> find(String tenantId, String mesh, String id, Duration ttl) {
        return jdbc.sql(LISTED + "WHERE p.tenant_id = ? AND p.mesh = ? AND p.id = ? AND p.revoked_at IS NULL")
                .params(staleBefore(ttl), tenantId, mesh, id)
                .query(Proxies::listed)
                .optional();
    }

    void delete(String tenantId, String mesh, String id) {
        jdbc.sql("DELETE FROM proxies WHERE tenant_id = ? AND mesh = ? AND id = ?").params(tenantId, mesh, id).update();
    }

    private static Timestamp staleBefore(Duration ttl) {
        return Timestamp.from(TenantTransactions.now().minus(ttl));
    }

    private static Listed listed(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        String address = rs.getString(9);
        return new Listed(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getTimestamp(7).toInstant(), rs.getTimestamp(8).toInstant(), rs.getBoolean(11) ? State.STALE : State.ACTIVE,
                address == null ? null : new Endpoint(address, rs.getInt(10)),
                rs.getTimestamp(12) == null ? null : rs.getTimestamp(12).toInstant(), rs.getObject(13, Double.class));
    }
}
