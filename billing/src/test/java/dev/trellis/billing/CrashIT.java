package dev.trellis.billing;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica killed with SIGKILL (a real child JVM, {@link CrashWorker}) in the middle of ingestion or of
 * finalisation: no acknowledged report is lost, a resend counts once, and the invoice is finalised once,
 * with the content it would have had without the crash.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CrashIT {
    static final Period NOVEMBER = new Period(YearMonth.of(2026, 11));
    static final String DURING_NOVEMBER = "2026-11-20T00:00:00Z";
    static final String AFTER_GRACE = "2026-12-05T00:00:00Z";
    static HikariDataSource pool;

    @BeforeAll
    static void open() {
        pool = BillingDatabase.shared().applicationPool();
    }

    @AfterAll
    static void close() {
        pool.close();
    }

    static UsageReport report(String tenant, long sequence) {
        return new UsageReport(tenant, "crash-proxy-" + tenant, sequence, "shop",
                Instant.parse(DURING_NOVEMBER).plusSeconds(sequence), 10, 100);
    }

    @Test
    void killedMidIngestionLosesNoAcknowledgedReportAndAResendCountsOnce() throws Exception {
        String tenant = BillingDatabase.newTenant();
        Process worker = worker("ingest", tenant, DURING_NOVEMBER);
        Set<Long> acked = new HashSet<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (acked.size() < 150 && (line = out.readLine()) != null) {
                if (line.startsWith("acked ")) acked.add(Long.parseLong(line.substring(6)));
            }
            worker.destroyForcibly(); // SIGKILL, between or inside transactions
            assertThat(worker.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(acked).hasSize(150);
        Set<Long> stored = new HashSet<>(sequences(tenant));
        assertThat(stored).containsAll(acked);

        // The proxy resends everything it had not seen acknowledged, and some that were: each counts once.
        Billing replica = BillingDatabase.shared().replica(pool, new SettableClock(Instant.parse(DURING_NOVEMBER)),
                Billing.Settings.DEFAULTS);
        long highest = stored.stream().mapToLong(Long::longValue).max().orElseThrow();
        for (long sequence = 0; sequence <= highest + 5; sequence++) {
            Recorded recorded = replica.usage().record(report(tenant, sequence));
            assertThat(recorded).isEqualTo(stored.contains(sequence) ? Recorded.DUPLICATE : Recorded.ACCEPTED);
        }
        assertThat(sequences(tenant)).hasSize((int) highest + 6);
        assertThat(replica.usage().byMesh(tenant, NOVEMBER.start(), NOVEMBER.end()).get("shop"))
                .isEqualTo(new Usage(10 * (highest + 6), 100 * (highest + 6), 1));
    }

    @Test
    void killedMidFinalisationFinalisesNothingAndTheNextAttemptFinalisesOnce() throws Exception {
        String tenant = BillingDatabase.newTenant();
        SettableClock clock = new SettableClock(Instant.parse(DURING_NOVEMBER));
        Billing replica = BillingDatabase.shared().replica(pool, clock, Billing.Settings.DEFAULTS);
        replica.planChanges().change(tenant, "team", 1, NOVEMBER.start(), Limits.none(), true, "operator");
        for (long sequence = 0; sequence < 50; sequence++) replica.usage().record(report(tenant, sequence));
        clock.set(Instant.parse(AFTER_GRACE));
        Invoice expected = replica.invoices().recompute(tenant, NOVEMBER);

        // Hold the invoice's key in an open transaction, so the worker stops inside its finalisation (period row
        // locked, invoice insert waiting) where it is killed.
        try (Connection blocker = BillingDatabase.shared().owner().getConnection()) {
            blocker.setAutoCommit(false);
            try (PreparedStatement hold = blocker.prepareStatement(
                    "INSERT INTO invoices VALUES (?, ?, '2026-11-01', 'USD', 0, 'x', now())")) {
                hold.setString(1, Invoice.idOf(tenant, NOVEMBER));
                hold.setString(2, tenant);
                hold.executeUpdate();
            }
            Process worker = worker("finalize", tenant, AFTER_GRACE, NOVEMBER.toString());
            awaitWorkerBlockedOnInvoiceInsert();
            worker.destroyForcibly();
            assertThat(worker.waitFor(30, TimeUnit.SECONDS)).isTrue();
            blocker.rollback();
        }
        awaitNoWorkerSession();
        assertThat(count("SELECT count(*) FROM invoices WHERE tenant_id = '" + tenant + "'")).isZero();
        assertThat(count("SELECT count(*) FROM billing_periods WHERE tenant_id = '" + tenant + "' AND finalized_at IS NOT NULL")).isZero();

        Invoice finalized = replica.invoices().finalizeInvoice(tenant, NOVEMBER);
        Billing other = BillingDatabase.shared().replica(pool, clock, Billing.Settings.DEFAULTS);
        assertThat(other.invoices().finalizeInvoice(tenant, NOVEMBER)).isEqualTo(finalized);
        assertThat(finalized.lines()).isEqualTo(expected.lines());
        assertThat(finalized.contentHash()).isEqualTo(expected.contentHash());
        assertThat(count("SELECT count(*) FROM invoices WHERE tenant_id = '" + tenant + "'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM invoice_lines WHERE tenant_id = '" + tenant + "'")).isEqualTo(4);
    }

    private static Process worker(String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                CrashWorker.class.getName(), args[0], workerUrl(), args[1], args[2]));
        for (int i = 3; i < args.length; i++) command.add(args[i]);
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static String workerUrl() {
        return pool.getJdbcUrl() + "&ApplicationName=crash-worker";
    }

    private static void awaitWorkerBlockedOnInvoiceInsert() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (count("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'crash-worker' "
                + "AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO invoices%'") == 0) {
            assertThat(System.nanoTime()).as("the worker reaches its invoice insert").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static void awaitNoWorkerSession() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (count("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'crash-worker'") > 0) {
            assertThat(System.nanoTime()).as("the killed worker's session ends").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static List<Long> sequences(String tenant) throws SQLException {
        List<Long> sequences = new ArrayList<>();
        try (Connection connection = BillingDatabase.shared().owner().getConnection(); Statement sql = connection.createStatement();
             ResultSet rs = sql.executeQuery("SELECT sequence FROM billing_usage_reports WHERE tenant_id = '" + tenant + "'")) {
            while (rs.next()) sequences.add(rs.getLong(1));
        }
        return sequences;
    }

    private static long count(String query) throws SQLException {
        try (Connection connection = BillingDatabase.shared().owner().getConnection(); Statement sql = connection.createStatement();
             ResultSet rs = sql.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
