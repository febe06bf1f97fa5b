package dev.trellis.billing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * bench/billing.sh: one month of usage for T tenants × P proxies on a fresh embedded PostgreSQL.
 * (1) ingestion through the real contract ({@code UsageLedger.record}, 2 threads) for a sample of
 * reports, for its rate; (2) the rest of the month loaded in bulk by SQL, R reports per proxy per day;
 * (3) the month closed ({@code Invoices.closePeriod}: every tenant's invoice computed, stored, finalised),
 * timed, with the JVM's heap; (4) a sample of invoices recomputed and compared by hash.
 *
 * <p>Arguments: tenants proxies reportsPerProxyPerDay sampleReports
 */
public final class BillingBench {
    private static final Period MONTH = new Period(YearMonth.of(2026, 11));

    private BillingBench() {
    }

    public static void main(String[] args) throws Exception {
        int tenants = Integer.parseInt(args[0]);
        int proxies = Integer.parseInt(args[1]);
        int perDay = Integer.parseInt(args[2]);
        int sample = Integer.parseInt(args[3]);
        Path data = Files.createTempDirectory("billing-bench");
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(true)
                .setServerConfig("max_connections", "20").setServerConfig("shared_buffers", "256MB").start()) {
            BillingSchema.migrate(postgres.getPostgresDatabase());
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(postgres.getJdbcUrl("trellis_app", "postgres"));
            config.setMaximumPoolSize(4);
            try (HikariDataSource pool = new HikariDataSource(config)) {
                run(postgres, pool, tenants, proxies, perDay, sample);
            }
        }
    }

    private static void run(EmbeddedPostgres postgres, HikariDataSource pool, int tenants, int proxies, int perDay, int sample)
            throws Exception {
        SettableClock clock = new SettableClock(MONTH.start().plus(Duration.ofDays(29)));
        Billing billing = Billing.create(new TransactionTemplate(new DataSourceTransactionManager(pool)), JdbcClient.create(pool),
                clock, Billing.Settings.DEFAULTS);
        List<String> ids = new ArrayList<>();
        for (int t = 0; t < tenants; t++) ids.add(String.format("tbench%09d", t));
        for (String tenant : ids) {
            billing.planChanges().change(tenant, "team", 1, MONTH.start(), Limits.none(), true, "bench");
        }

        // (1) The real ingestion path, two threads like two request threads, sequences past the bulk ones.
        ExecutorService threads = Executors.newFixedThreadPool(2);
        AtomicLong next = new AtomicLong();
        long start = System.nanoTime();
        List<Future<?>> work = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            work.add(threads.submit(() -> {
                for (long i; (i = next.getAndIncrement()) < sample; ) {
                    String tenant = ids.get((int) (i % tenants));
                    long proxy = (i / tenants) % proxies;
                    billing.usage().record(new UsageReport(tenant, tenant + "-p" + proxy, 1_000_000 + i, "mesh-" + proxy % 3,
                            MONTH.start().plusSeconds(i % MONTH.seconds()), 10, 200));
                }
                return null;
            }));
        }
        for (Future<?> f : work) f.get();
        threads.shutdown();
        double ingestSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("ingest (UsageLedger.record, 2 threads): %,d reports in %.1f s = %,.0f reports/s%n",
                sample, ingestSeconds, sample / ingestSeconds);

        // (2) The rest of the month in bulk: every proxy, perDay reports a day, each covering its share of the day.
        long rows = (long) tenants * proxies * perDay * 30;
        start = System.nanoTime();
        try (Connection owner = postgres.getPostgresDatabase().getConnection(); Statement sql = owner.createStatement()) {
            sql.execute("""
                    INSERT INTO billing_usage_reports (proxy_id, sequence, tenant_id, mesh, event_time, period, proxy_seconds, requests, received_at)
                    SELECT format('tbench%%s-p%%s', lpad(t::text, 9, '0'), p), r, format('tbench%%s', lpad(t::text, 9, '0')),
                           'mesh-' || (p %% 3), timestamptz '2026-11-01T00:00:00Z' + r * interval '%d seconds' + interval '1 second',
                           date '2026-11-01', %d, 1000 + (t * 7 + p * 13 + r) %% 5000, now()
                    FROM generate_series(0, %d) t, generate_series(0, %d) p, generate_series(0, %d) r"""
                    .formatted(86400 / perDay, 86400 / perDay, tenants - 1, proxies - 1, perDay * 30 - 1));
            sql.execute("ANALYZE billing_usage_reports");
        }
        System.out.printf("bulk load: %,d usage rows in %.1f s%n", rows, (System.nanoTime() - start) / 1e9);

        // (3) Close the month once its grace is over.
        clock.set(MONTH.graceEnd(Billing.Settings.DEFAULTS.grace()).plusSeconds(1));
        System.gc();
        start = System.nanoTime();
        int finalized = billing.invoices().closePeriod(MONTH);
        double closeSeconds = (System.nanoTime() - start) / 1e9;
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.gc();
        long heapAfterGc = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf("close %s: %,d invoices finalised in %.1f s (%.1f ms per tenant); heap used %d MiB (%d MiB after GC), max %d MiB%n",
                MONTH, finalized, closeSeconds, closeSeconds * 1000 / Math.max(1, finalized), heap >> 20, heapAfterGc >> 20,
                Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("close a second time: %,d more%n", billing.invoices().closePeriod(MONTH));

        // (4) Reproducible: a sample recomputed from the stored usage has the stored hash.
        int checked = 0;
        for (int t = 0; t < tenants; t += Math.max(1, tenants / 20)) {
            Invoice stored = billing.invoices().invoice(ids.get(t), MONTH);
            if (!billing.invoices().recompute(ids.get(t), MONTH).contentHash().equals(stored.contentHash())) {
                throw new AssertionError("invoice of " + ids.get(t) + " does not recompute to its hash");
            }
            checked++;
        }
        Invoice first = billing.invoices().invoice(ids.getFirst(), MONTH);
        System.out.printf("recomputed %d invoices: same hashes; e.g. %s total %s (%s)%n", checked, first.id(), first.total(),
                first.planVersions());
    }
}
