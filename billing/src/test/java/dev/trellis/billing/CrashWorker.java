package dev.trellis.billing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * A stand-in control plane replica in a JVM of its own, for {@link CrashIT} to kill with SIGKILL:
 * {@code ingest <jdbcUrl> <tenant> <now>} records reports 0, 1, 2… and prints {@code acked N} after each
 * one is committed (what a proxy would be answered); {@code finalize <jdbcUrl> <tenant> <now> <yyyy-mm>}
 * finalises one invoice and prints {@code finalized}.
 */
public final class CrashWorker {
    private CrashWorker() {
    }

    public static void main(String[] args) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[1]);
        config.setMaximumPoolSize(1);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            Billing billing = Billing.create(new TransactionTemplate(new DataSourceTransactionManager(pool)),
                    JdbcClient.create(pool), Clock.fixed(Instant.parse(args[3]), ZoneOffset.UTC), Billing.Settings.DEFAULTS);
            String tenant = args[2];
            if (args[0].equals("ingest")) {
                for (long sequence = 0; ; sequence++) {
                    billing.usage().record(CrashIT.report(tenant, sequence));
                    System.out.println("acked " + sequence);
                    System.out.flush();
                }
            }
            billing.invoices().finalizeInvoice(tenant, new Period(YearMonth.parse(args[4])));
            System.out.println("finalized");
        }
    }
}
