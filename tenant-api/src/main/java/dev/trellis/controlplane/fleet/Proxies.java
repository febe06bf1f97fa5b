package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.access.MintedCredential;
import dev.trellis.controlplane.authority.MeshAuthority;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
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
     * One row of {@code GET /v1/meshes/{mesh}/proxies}; {@code lastReportAt} and {@code requestRate}
     * (requests per second over its last usage report's window) come from the telemetry feature's
     * {@code usage_reports}, null before the first report.
     */
    record Listed(String id, String service, String version, String appliedVersion, String rejectedVersion,
                  String rejectionReason, Instant lastSeen, Instant certificateNotAfter, Instant lastReportAt, Double requestRate) {
    }

    void insert(String id, byte[] tokenHash, JoinTokens.Redeemed token, MeshAuthority.Issued issued, Instant now) {
        jdbc.sql("""
                        INSERT INTO proxies (id, tenant_id, mesh, service, version, secret_hash, fingerprint, not_after,
                                             registered_at, last_seen)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(id, token.tenantId(), token.mesh(), token.service(), token.version(), tokenHash,
                        issued.fingerprint(), Timestamp.from(issued.notAfter()), Timestamp.from(now), Timestamp.from(now))
                .update();
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
        return jdbc.sql("SELECT id, tenant_id, mesh, service, version, secret_hash, not_after FROM proxies WHERE id = ANY(?)")
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

    List<Listed> list(String tenantId, String mesh) {
        return jdbc.sql("""
                        SELECT p.id, p.service, p.version, p.applied_version, p.rejected_version, p.rejection_reason, p.last_seen,
                               p.not_after, r.received_at,
                               (r.requests / NULLIF(EXTRACT(EPOCH FROM (r.window_end - r.window_start)), 0))::double precision
                        FROM proxies p
                        LEFT JOIN LATERAL (SELECT received_at, requests, window_start, window_end FROM usage_reports u
                                           WHERE u.proxy_id = p.id ORDER BY u.sequence DESC LIMIT 1) r ON true
                        WHERE p.tenant_id = ? AND p.mesh = ? ORDER BY p.service, p.id""")
                .params(tenantId, mesh)
                .query((rs, n) -> new Listed(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getTimestamp(7).toInstant(), rs.getTimestamp(8).toInstant(),
                        rs.getTimestamp(9) == null ? null : rs.getTimestamp(9).toInstant(), rs.getObject(10, Double.class)))
                .list();
    }
}
