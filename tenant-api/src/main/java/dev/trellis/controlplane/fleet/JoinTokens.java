package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.access.MintedCredential;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/** The join_tokens table: short-lived credentials that let one workload's proxy register, stored hashed. */
@Repository
public class JoinTokens {
    static final String KIND = "trj";
    private final JdbcClient jdbc;

    JoinTokens(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Mints and stores a token; the plain text is returned once. Runs inside the tenant's transaction. */
    /** The token's id (as {@code DELETE /v1/meshes/{mesh}/join-tokens/{id}} takes it) and the token. */
    public record Minted(String id, String token) {
    }

    public Minted mint(String tenantId, String mesh, String service, String version, String createdBy, Instant now, Instant expiresAt) {
        MintedCredential credential = MintedCredential.mint(KIND);
        jdbc.sql("""
                        INSERT INTO join_tokens (id, tenant_id, mesh, service, version, secret_hash, created_by, created_at, expires_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(credential.id(), tenantId, mesh, service, version, credential.hash(), createdBy,
                        Timestamp.from(now), Timestamp.from(expiresAt))
                .update();
        return new Minted(credential.id(), credential.token());
    }

    /**
     * Revokes one unused token of the tenant's mesh so that it can never register a proxy. False
     * when there is no such token or it was already used, revoked or expired.
     */
    boolean revoke(String tenantId, String mesh, String id, Instant now) {
        return jdbc.sql("""
                        UPDATE join_tokens SET revoked_at = ?
                        WHERE tenant_id = ? AND mesh = ? AND id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?""")
                .params(Timestamp.from(now), tenantId, mesh, id, Timestamp.from(now))
                .update() == 1;
    }

    /** Whether the tenant's mesh has a join token of this id (in any state). */
    boolean exists(String tenantId, String mesh, String id) {
        return jdbc.sql("SELECT 1 FROM join_tokens WHERE tenant_id = ? AND mesh = ? AND id = ?")
                .params(tenantId, mesh, id)
                .query(Integer.class)
                .optional()
                .isPresent();
    }

    /** Revokes every unused token of one service (the service is being deleted). */
    void revokeService(String tenantId, String mesh, String service, Instant now) {
        jdbc.sql("""
                        UPDATE join_tokens SET revoked_at = ?
                        WHERE tenant_id = ? AND mesh = ? AND service = ? AND used_at IS NULL AND revoked_at IS NULL""")
                .params(Timestamp.from(now), tenantId, mesh, service)
                .update();
    }

    /** What a redeemed token lets its proxy register as. */
    public record Redeemed(String tenantId, String mesh, String service, String version) {
    }

    /**
     * Spends a token: it must be known, unexpired and unused; it is marked used, so it registers one
     * proxy only. Runs in a transaction whose {@code trellis.join_token_id} names the token (the tenant
     * is not known yet); on success the transaction is bound to the token's tenant.
     */
    Optional<Redeemed> redeem(String token, Instant now) {
        Optional<String> id = MintedCredential.idOf(KIND, token);
        if (id.isEmpty()) return Optional.empty();
        record Row(Redeemed redeemed, byte[] hash, Instant expiresAt, boolean used) {
        }
        Optional<Row> row = jdbc.sql("""
                        SELECT tenant_id, mesh, service, version, secret_hash, expires_at,
                               used_at IS NOT NULL OR revoked_at IS NOT NULL
                        FROM join_tokens WHERE id = ? FOR UPDATE""")
                .param(id.get())
                .query((rs, n) -> new Row(new Redeemed(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)),
                        rs.getBytes(5), rs.getTimestamp(6).toInstant(), rs.getBoolean(7)))
                .optional();
        if (row.isEmpty() || !MintedCredential.matches(token, row.get().hash())
                || row.get().used() || !now.isBefore(row.get().expiresAt())) {
            return Optional.empty();
        }
        jdbc.sql("SELECT set_config('trellis.tenant_id', ?, true)").param(row.get().redeemed().tenantId())
                .query(String.class).single();
        dev.trellis.billing.TenantSetting.remember(row.get().redeemed().tenantId());
        jdbc.sql("UPDATE join_tokens SET used_at = ? WHERE id = ?").params(Timestamp.from(now), id.get()).update();
        return Optional.of(row.get().redeemed());
    }
}

