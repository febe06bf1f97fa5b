package dev.trellis.billing;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.function.Supplier;

/**
 * Runs billing's work in a transaction bound to one tenant, as the control plane's own tables are:
 * {@code trellis.tenant_id} is set for that transaction, and row-level security shows no other
 * tenant's rows. Inside a caller's transaction it joins it (same tenant).
 */
final class TenantScope {
    private final TransactionTemplate transactions;
    private final JdbcClient jdbc;

    TenantScope(TransactionTemplate transactions, JdbcClient jdbc) {
        this.transactions = transactions;
        this.jdbc = jdbc;
    }

    <T> T inTenant(String tenantId, Supplier<T> work) {
        return transactions.execute(status -> {
            // Joining a transaction already set to this tenant (a usage report's): nothing to set.
            if (!TenantSetting.isSet(tenantId)) {
                jdbc.sql("SELECT set_config('trellis.tenant_id', ?, true)").param(tenantId).query(String.class).single();
                TenantSetting.remember(tenantId);
            }
            return work.get();
        });
    }

    /** Work across tenants through the migration's narrow SECURITY DEFINER functions only. */
    <T> T withoutTenant(Supplier<T> work) {
        return transactions.execute(status -> work.get());
    }

    JdbcClient jdbc() {
        return jdbc;
    }
}
