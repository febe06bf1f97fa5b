package dev.trellis.billing;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Billing joining a transaction already set to its tenant does not set it again (one round trip less
 * per usage report), and sets it whenever that is not known: for another tenant, in the next
 * transaction, and in a transaction of its own started inside one that had it set.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TenantSettingIT {
    private static HikariDataSource pool;
    private static TransactionTemplate transactions;
    private static JdbcClient jdbc;
    private static TenantScope scope;

    @BeforeAll
    static void start() {
        pool = BillingDatabase.shared().applicationPool();
        transactions = new TransactionTemplate(new DataSourceTransactionManager(pool));
        jdbc = JdbcClient.create(pool);
        scope = new TenantScope(transactions, jdbc);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    private static void set(String tenant) {
        jdbc.sql("SELECT set_config('trellis.tenant_id', ?, true)").param(tenant).query(String.class).single();
    }

    private static String current() {
        return jdbc.sql("SELECT current_setting('trellis.tenant_id', true)").query(String.class).single();
    }

    @Test
    void joiningTheTenantsTransactionSetsNothing() {
        String tenant = BillingDatabase.newTenant();
        String seen = transactions.execute(status -> {
            set(tenant);
            TenantSetting.remember(tenant);
            // Changed behind TenantSetting's back: only a scope that issues no set_config of its own still sees this.
            set("changed-behind-its-back");
            return scope.inTenant(tenant, TenantSettingIT::current);
        });
        assertThat(seen).isEqualTo("changed-behind-its-back");
    }

    @Test
    void anotherTenantIsSet() {
        String first = BillingDatabase.newTenant();
        String second = BillingDatabase.newTenant();
        transactions.executeWithoutResult(status -> {
            set(first);
            TenantSetting.remember(first);
            assertThat(scope.inTenant(second, TenantSettingIT::current)).isEqualTo(second);
            assertThat(TenantSetting.isSet(second)).isTrue();
            assertThat(TenantSetting.isSet(first)).isFalse();
        });
    }

    @Test
    void theNextTransactionSetsItAgain() {
        String tenant = BillingDatabase.newTenant();
        transactions.executeWithoutResult(status -> {
            set(tenant);
            TenantSetting.remember(tenant);
        });
        assertThat(TenantSetting.isSet(tenant)).isFalse();
        transactions.executeWithoutResult(status -> assertThat(TenantSetting.isSet(tenant)).isFalse());
        assertThat(scope.inTenant(tenant, TenantSettingIT::current)).isEqualTo(tenant);
    }

    @Test
    void aTransactionOfItsOwnInsideOneSetsItOnItsOwnConnection() {
        String tenant = BillingDatabase.newTenant();
        TransactionTemplate separate = new TransactionTemplate(transactions.getTransactionManager());
        separate.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        transactions.executeWithoutResult(status -> {
            set(tenant);
            TenantSetting.remember(tenant);
            String inner = separate.execute(innerStatus -> {
                assertThat(TenantSetting.isSet(tenant)).isFalse();
                return scope.inTenant(tenant, TenantSettingIT::current);
            });
            assertThat(inner).isEqualTo(tenant);
            // Back in the outer transaction, which had set it.
            assertThat(TenantSetting.isSet(tenant)).isTrue();
            assertThat(current()).isEqualTo(tenant);
        });
    }
}
