package dev.trellis.controlplane.access;

import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.web.Page;
import dev.trellis.controlplane.web.PageRequest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The api_keys table. Keys are stored as SHA-256 hashes and looked up by their id on every request. */
@Repository
public class ApiKeys {
    static final String KIND = "trk";
    private static final String COLUMNS = "id, name, role, created_by, created_at, revoked_at";

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;

    ApiKeys(JdbcClient jdbc, TenantTransactions transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    /** A new key with its plain text, which the caller shows once. Runs inside the tenant's transaction. */
    public record Created(ApiKey key, String token) {
    }

    public Created create(String tenantId, String name, Role role, String createdBy) {
        MintedCredential credential = MintedCredential.mint(KIND);
        Instant now = TenantTransactions.now();
        jdbc.sql("""
                        INSERT INTO api_keys (id, tenant_id, name, role, secret_hash, created_by, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)""")
                .params(credential.id(), tenantId, name, role.wireName(), credential.hash(), createdBy, Timestamp.from(now))
                .update();
        return new Created(new ApiKey(credential.id(), name, role, createdBy, now, null), credential.token());
    }

    /** Whether {@code token} is a key of {@code tenantId} that still works (exists, matches, not revoked). */
    public boolean works(String tenantId, String token) {
        return authenticate(token).filter(caller -> caller.tenantId().equals(tenantId)).isPresent();
    }

    /** The caller a presented key stands for, if it exists, matches and is not revoked. Never cached. */
    Optional<Caller> authenticate(String token) {
        Optional<String> id = MintedCredential.idOf(KIND, token);
        if (id.isEmpty()) return Optional.empty();
        return transactions.withSetting("trellis.api_key_id", id.get(), () -> jdbc.sql("""
                        SELECT tenant_id, role, secret_hash FROM api_keys WHERE id = ? AND revoked_at IS NULL""")
                .param(id.get())
                .query((rs, n) -> MintedCredential.matches(token, rs.getBytes(3))
                        ? Optional.of(new Caller(rs.getString(1), "api-key:" + id.get(), Role.parse(rs.getString(2)).orElseThrow()))
                        : Optional.<Caller>empty())
                .optional()
                .flatMap(caller -> caller));
    }

    Page<ApiKey> page(String tenantId, PageRequest request) {
        List<ApiKey> rows = jdbc.sql("SELECT " + COLUMNS + " FROM api_keys WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?")
                .params(tenantId, request.after(), request.fetchSize())
                .query(ApiKeys::key)
                .list();
        return Page.of(rows, request, ApiKey::id);
    }

    Optional<ApiKey> find(String tenantId, String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM api_keys WHERE tenant_id = ? AND id = ?")
                .params(tenantId, id)
                .query(ApiKeys::key)
                .optional();
    }

    void revoke(String tenantId, String id) {
        jdbc.sql("UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL")
                .params(Timestamp.from(TenantTransactions.now()), tenantId, id)
                .update();
    }

    private static ApiKey key(ResultSet rs, int row) throws SQLException {
        Timestamp revoked = rs.getTimestamp(6);
        return new ApiKey(rs.getString(1), rs.getString(2), Role.parse(rs.getString(3)).orElseThrow(), rs.getString(4),
                rs.getTimestamp(5).toInstant(), revoked == null ? null : revoked.toInstant());
    }
}
