package dev.trellis.billing;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.Configuration;

import javax.sql.DataSource;

/**
 * Billing's tables, migrated from {@code classpath:db/billing} with their own history table
 * ({@code billing_schema_history}), so billing's versions never collide with the control plane's and
 * either may add migrations without the other's numbering.
 */
public final class BillingSchema {
    public static final String LOCATION = "classpath:db/billing";
    public static final String HISTORY_TABLE = "billing_schema_history";

    private BillingSchema() {
    }

    /** Migrates with the same connection settings as another Flyway (the control plane's). */
    public static void migrateLike(Configuration configuration) {
        Flyway.configure().configuration(configuration).locations(LOCATION).table(HISTORY_TABLE)
                .baselineOnMigrate(true).baselineVersion("0").load().migrate();
    }

    /** Migrates through a connection that may create tables and roles (the migration role). */
    public static void migrate(DataSource owner) {
        Flyway.configure().dataSource(owner).locations(LOCATION).table(HISTORY_TABLE)
                .baselineOnMigrate(true).baselineVersion("0").load().migrate();
    }
}
