package dev.trellis.controlplane.database;

import dev.trellis.billing.TenantSetting;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs work in a transaction bound to one tenant: {@code trellis.tenant_id} is set for that
 * transaction only, and row-level security shows no other tenant's rows, whatever the SQL forgets.
 */
@Component
public class TenantTransactions {
    private final TransactionTemplate transactions;
    private final JdbcClient jdbc;

    TenantTransactions(TransactionTemplate transactions, JdbcClient jdbc) {
        this.transactions = transactions;
        this.jdbc = jdbc;
    }

    public <T> T inTenant(String tenantId, Supplier<T> work) {
        return inTenant(tenantId, status -> work.get());
    }

    /** As {@link #inTenant(String, Supplier)}, with the transaction's status (to roll back a dry run). */
    public <T> T inTenant(String tenantId, Function<TransactionStatus, T> work) {
        return transactions.execute(status -> {
            setting("trellis.tenant_id", tenantId);
            // Billing's work joining this transaction then sets it only for another tenant.
            TenantSetting.remember(tenantId);
            return work.apply(status);
        });
    }

    /** Work that must find one credential before any tenant is known; RLS shows that one row. */
    public <T> T withSetting(String name, String value, Supplier<T> work) {
        return transactions.execute(status -> {
            setting(name, value);
            return work.get();
        });
    }

    /** Now, at the precision PostgreSQL stores, so a value read back equals the one written. */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    private void setting(String name, String value) {
        jdbc.sql("SELECT set_config(?, ?, true)").param(name).param(value).query(String.class).single();
    }
}
