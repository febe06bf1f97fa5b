package dev.trellis.controlplane.billing;

import dev.trellis.billing.Billing;
import dev.trellis.billing.BillingSchema;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Duration;

/**
 * The billing library, wired into the control plane: its schema is migrated right after the control
 * plane's, by the same Flyway settings (the migration role) but with billing's own location and history
 * table; it runs in the control plane's transactions.
 */
@Configuration
class BillingConfiguration {

    @Bean
    FlywayMigrationStrategy controlPlaneThenBilling() {
        return flyway -> {
            flyway.migrate();
            BillingSchema.migrateLike(flyway.getConfiguration());
        };
    }

    @Bean
    Billing billing(TransactionTemplate transactions, JdbcClient jdbc,
                    @Value("${trellis.billing.grace:48h}") Duration grace,
                    @Value("${trellis.billing.default-plan:free}") String defaultPlan,
                    @Value("${trellis.billing.close-threads:4}") int closeThreads) {
        return Billing.create(transactions, jdbc, Clock.systemUTC(), new Billing.Settings(grace, defaultPlan, closeThreads));
    }
}
