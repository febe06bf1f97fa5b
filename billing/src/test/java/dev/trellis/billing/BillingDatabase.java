package dev.trellis.billing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.UUID;

/**
 * One real PostgreSQL for billing's ITs, migrated by billing's own Flyway as the superuser; the code
 * under test connects as {@code trellis_app}, which row-level security binds, as in the control plane.
 * Each {@link #replica} is a separate connection pool, as a separate control plane replica would have.
 */
final class BillingDatabase {
    private static BillingDatabase instance;
    private final EmbeddedPostgres postgres;

    private BillingDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    static synchronized BillingDatabase shared() {
        if (instance == null) {
            try {
                EmbeddedPostgres postgres = EmbeddedPostgres.builder().setServerConfig("max_connections", "60").start();
                BillingSchema.migrate(postgres.getPostgresDatabase());
                instance = new BillingDatabase(postgres);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting
                    }
                }));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** A pool connecting as the application role. */
    HikariDataSource applicationPool() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(postgres.getJdbcUrl("trellis_app", "postgres"));
        config.setMaximumPoolSize(4);
        return new HikariDataSource(config);
    }

    /** A superuser connection pool, for what a test sets up outside row-level security. */
    javax.sql.DataSource owner() {
        return postgres.getPostgresDatabase();
    }

    /** A billing instance of its own pool: one control plane replica. */
    Billing replica(HikariDataSource pool, Clock clock, Billing.Settings settings) {
        return Billing.create(new TransactionTemplate(new DataSourceTransactionManager(pool)), JdbcClient.create(pool),
                clock, settings);
    }

    static String newTenant() {
        return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 15);
    }
}
