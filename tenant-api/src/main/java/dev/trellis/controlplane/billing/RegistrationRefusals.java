package dev.trellis.controlplane.billing;

import dev.trellis.billing.QuotaExceeded;
import dev.trellis.controlplane.database.TenantTransactions;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/**
 * Registrations a quota refused, kept where the user looks ({@code GET /v1/meshes/{mesh}/proxies}):
 * the refused registration's transaction rolls back, so the refusal is stored in one of its own. A proxy
 * that keeps retrying counts up one row; a later registration of the same service and version clears it.
 */
@Component
public class RegistrationRefusals {
    private final TenantTransactions transactions;
    private final JdbcClient jdbc;

    RegistrationRefusals(TenantTransactions transactions, JdbcClient jdbc) {
        this.transactions = transactions;
        this.jdbc = jdbc;
    }

    /** One refused registration, as {@code refusedRegistrations[]} of the proxy list shows it. */
    public record Refusal(String service, String version, String quota, String reason, long limit, long current,
                          String plan, Instant firstAt, Instant lastAt, long attempts) {
    }

    /** Records a refusal, in a transaction of its own (call it after the refused one rolled back). */
    public void refused(String tenantId, String mesh, String service, String version, QuotaExceeded refusal, Instant at) {
        Timestamp time = Timestamp.from(at);
        transactions.inTenant(tenantId, () -> jdbc.sql("""
                        INSERT INTO registration_refusals (tenant_id, mesh, service, version, quota, reason, limit_value,
                                                           current_value, plan, first_at, last_at, attempts)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
                        ON CONFLICT (tenant_id, mesh, service, version, quota) DO UPDATE SET
                            reason = excluded.reason, limit_value = excluded.limit_value,
                            current_value = excluded.current_value, plan = excluded.plan,
                            last_at = greatest(registration_refusals.last_at, excluded.last_at),
                            attempts = registration_refusals.attempts + 1""")
                .params(tenantId, mesh, service, version, refusal.resource().wireName(), refusal.getMessage(),
                        refusal.limit(), refusal.current(), refusal.plan(), time, time)
                .update());
    }

    /** A registration of this service and version went through: its earlier refusals are over. Runs in the caller's transaction. */
    public void admitted(String tenantId, String mesh, String service, String version) {
        jdbc.sql("DELETE FROM registration_refusals WHERE tenant_id = ? AND mesh = ? AND service = ? AND version = ?")
                .params(tenantId, mesh, service, version).update();
    }

    /** The mesh's refusals, most recent first. Runs in the caller's (tenant) transaction. */
    public List<Refusal> list(String tenantId, String mesh) {
        return jdbc.sql("""
                        SELECT service, version, quota, reason, limit_value, current_value, plan, first_at, last_at, attempts
                        FROM registration_refusals WHERE tenant_id = ? AND mesh = ?
                        ORDER BY last_at DESC, service, version, quota""")
                .params(tenantId, mesh)
                .query((rs, n) -> new Refusal(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getLong(5), rs.getLong(6), rs.getString(7), rs.getTimestamp(8).toInstant(),
                        rs.getTimestamp(9).toInstant(), rs.getLong(10)))
                .list();
    }
}
