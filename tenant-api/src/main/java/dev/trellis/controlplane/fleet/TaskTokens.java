package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.access.MintedCredential;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/**
 * The task_tokens table: reusable bootstrap credentials for the tasks of one ECS task definition
 * (many tasks share one definition, so a single-use join token cannot work), scoped to mesh, service
 * and version, stored hashed, valid until revoked. Registration exchanges one for the proxy's own
 * certificate and proxy token, as it does a join token.
 */
@Repository
public class TaskTokens {
    static final String KIND = "trt";
    private final JdbcClient jdbc;

    TaskTokens(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A minted token; {@code token} is shown once. */
    public record Minted(String id, String token) {
    }

    /** Mints and stores a token. Runs inside the tenant's transaction. */
    public Minted mint(String tenantId, String mesh, String service, String version, String createdBy, Instant now) {
        MintedCredential credential = MintedCredential.mint(KIND);
        jdbc.sql("""
                        INSERT INTO task_tokens (id, tenant_id, mesh, service, version, secret_hash, created_by, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(credential.id(), tenantId, mesh, service, version, credential.hash(), createdBy, Timestamp.from(now))
                .update();
        return new Minted(credential.id(), credential.token());
    }

    /** Revokes a token of the tenant's mesh; false when there is no such (unrevoked) token. */
    public boolean revoke(String tenantId, String mesh, String id, Instant now) {
        return jdbc.sql("UPDATE task_tokens SET revoked_at = ? WHERE tenant_id = ? AND mesh = ? AND id = ? AND revoked_at IS NULL")
                .params(Timestamp.from(now), tenantId, mesh, id)
                .update() == 1;
    }

    /**
     * What a genuine, unrevoked token lets its proxy register as; the token stays valid. Runs in a
     * transaction whose {@code trellis.join_token_id} names the token's id; on success the
     * transaction is bound to the token's tenant.
     */
    Optional<JoinTokens.Redeemed> redeem(String token) {
        Optional<String> id = MintedCredential.idOf(KIND, token);
        if (id.isEmpty()) return Optional.empty();
        record Row(JoinTokens.Redeemed redeemed, byte[] hash, boolean revoked) {
        }
        Optional<Row> row = jdbc.sql("SELECT tenant_id, mesh, service, version, secret_hash, revoked_at IS NOT NULL FROM task_tokens WHERE id = ?")
                .param(id.get())
                .query((rs, n) -> new Row(new JoinTokens.Redeemed(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)),
                        rs.getBytes(5), rs.getBoolean(6)))
                .optional();
        if (row.isEmpty() || row.get().revoked() || !MintedCredential.matches(token, row.get().hash())) return Optional.empty();
        jdbc.sql("SELECT set_config('trellis.tenant_id', ?, true)").param(row.get().redeemed().tenantId())
                .query(String.class).single();
        dev.trellis.billing.TenantSetting.remember(row.get().redeemed().tenantId());
        return Optional.of(row.get().redeemed());
    }
}
