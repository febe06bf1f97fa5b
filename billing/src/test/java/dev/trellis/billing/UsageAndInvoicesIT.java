package dev.trellis.billing;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ingestion, grace, finalisation, immutability, plan changes and quotas on a real PostgreSQL, through two replicas. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UsageAndInvoicesIT {
    static final Period NOVEMBER = new Period(YearMonth.of(2026, 11));
    static final Billing.Settings SETTINGS = new Billing.Settings(Duration.ofHours(48), "free");
    static HikariDataSource poolA;
    static HikariDataSource poolB;
    final SettableClock clock = new SettableClock(Instant.parse("2026-11-20T12:00:00Z"));
    Billing replicaA;
    Billing replicaB;

    @BeforeAll
    static void pools() {
        poolA = BillingDatabase.shared().applicationPool();
        poolB = BillingDatabase.shared().applicationPool();
    }

    @AfterAll
    static void close() {
        poolA.close();
        poolB.close();
    }

    @org.junit.jupiter.api.BeforeEach
    void replicas() {
        replicaA = BillingDatabase.shared().replica(poolA, clock, SETTINGS);
        replicaB = BillingDatabase.shared().replica(poolB, clock, SETTINGS);
    }

    static UsageReport report(String tenant, String proxy, long sequence, String at, long seconds, long requests) {
        return new UsageReport(tenant, proxy, sequence, "shop", Instant.parse(at), seconds, requests);
    }

    @Test
    void aReportCountsOnceWhicheverReplicaGetsItAndLateOnesAreRefusedAndCounted() {
        String tenant = BillingDatabase.newTenant();
        UsageReport first = report(tenant, "p1", 1, "2026-11-20T11:59:50Z", 10, 100);
        assertThat(replicaA.usage().record(first)).isEqualTo(Recorded.ACCEPTED);
        assertThat(replicaB.usage().record(first)).isEqualTo(Recorded.DUPLICATE);
        // A resend with other numbers is still the same report: the first stored wins.
        assertThat(replicaB.usage().record(report(tenant, "p1", 1, "2026-11-20T11:59:50Z", 99, 999))).isEqualTo(Recorded.DUPLICATE);
        assertThat(replicaB.usage().record(report(tenant, "p1", 2, "2026-11-20T12:00:00Z", 10, 50))).isEqualTo(Recorded.ACCEPTED);

        // After the month: November's reports are still taken during the grace, then refused as late.
        clock.set(Instant.parse("2026-12-02T23:59:59Z"));
        assertThat(replicaA.usage().record(report(tenant, "p1", 3, "2026-11-30T23:59:59Z", 10, 1))).isEqualTo(Recorded.ACCEPTED);
        clock.set(Instant.parse("2026-12-03T00:00:00Z"));
        UsageReport late = report(tenant, "p1", 4, "2026-11-30T23:59:59Z", 10, 1);
        assertThat(replicaA.usage().record(late)).isEqualTo(Recorded.LATE);
        assertThat(replicaB.usage().record(late)).isEqualTo(Recorded.LATE);
        assertThat(replicaB.usage().record(first)).as("a resend of a counted report is no late one").isEqualTo(Recorded.DUPLICATE);
        assertThat(replicaA.usage().lateReports(tenant, NOVEMBER)).isEqualTo(1);

        assertThat(replicaA.usage().byMesh(tenant, NOVEMBER.start(), NOVEMBER.end()))
                .containsEntry("shop", new Usage(30, 151, 1));
    }

    @Test
    void aBatchIsOneTenantsReportsInOneTransactionEachCountedOnce() {
        String tenant = BillingDatabase.newTenant();
        clock.set(Instant.parse("2026-12-02T00:00:00Z")); // November in its grace, October closed
        List<Recorded> outcomes = replicaA.usage().record(List.of(
                report(tenant, "pb", 1, "2026-11-30T23:00:00Z", 10, 1),
                report(tenant, "pb", 2, "2026-12-01T23:00:00Z", 10, 1),
                report(tenant, "pb", 1, "2026-11-30T23:00:00Z", 10, 1),
                report(tenant, "pb", 0, "2026-10-31T23:00:00Z", 10, 1)));
        assertThat(outcomes).containsExactly(Recorded.ACCEPTED, Recorded.ACCEPTED, Recorded.DUPLICATE, Recorded.LATE);
        assertThat(replicaB.usage().record(List.of(report(tenant, "pb", 2, "2026-12-01T23:00:00Z", 10, 1))))
                .containsExactly(Recorded.DUPLICATE);
        assertThat(replicaB.usage().lateReports(tenant, new Period(YearMonth.of(2026, 10)))).isEqualTo(1);
        assertThatThrownBy(() -> replicaA.usage().record(List.of(report(tenant, "pb", 3, "2026-12-01T23:00:00Z", 1, 1),
                report(BillingDatabase.newTenant(), "px", 1, "2026-12-01T23:00:00Z", 1, 1))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(replicaA.usage().byMesh(tenant, NOVEMBER.start(), NOVEMBER.next().end()).get("shop"))
                .isEqualTo(new Usage(20, 2, 1));
    }

    @Test
    void finalisationHappensOnceAcrossReplicasAndTheInvoiceNeverChanges() throws Exception {
        String tenant = BillingDatabase.newTenant();
        replicaA.planChanges().change(tenant, "team", null, Instant.parse("2026-11-01T00:00:00Z"), Limits.none(), true, "operator");
        for (int i = 0; i < 20; i++) {
            replicaA.usage().record(report(tenant, "p-" + tenant, i, "2026-11-1" + (i % 10) + "T00:00:00Z", 3600 * 100, 1_000_000));
        }
        assertThatThrownBy(() -> replicaA.invoices().finalizeInvoice(tenant, NOVEMBER)).isInstanceOf(PeriodStillOpen.class);
        Invoice draft = replicaA.invoices().invoice(tenant, NOVEMBER);
        assertThat(draft.status()).isEqualTo(Invoice.Status.DRAFT);

        clock.set(Instant.parse("2026-12-03T00:00:00Z"));
        // Both replicas finalise at once: one invoice, the same for both.
        ExecutorService threads = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Invoice>> results = new ArrayList<>();
        for (Billing replica : List.of(replicaA, replicaB)) {
            results.add(threads.submit((Callable<Invoice>) () -> {
                start.await();
                return replica.invoices().finalizeInvoice(tenant, NOVEMBER);
            }));
        }
        start.countDown();
        Invoice one = results.get(0).get(30, TimeUnit.SECONDS);
        Invoice other = results.get(1).get(30, TimeUnit.SECONDS);
        threads.shutdown();
        assertThat(one).isEqualTo(other);
        assertThat(one.status()).isEqualTo(Invoice.Status.FINALIZED);
        assertThat(one.contentHash()).isEqualTo(draft.contentHash());
        // 2,000 endpoint-hours, 750 included: 1,250 x 4 cents; 20 M requests, 10 M included: 10 x 20 cents; fee $49.
        assertThat(one.totalMinor()).isEqualTo(4900 + 5000 + 200);
        assertThat(one.planVersions()).containsExactly("team@1");
        assertThat(count("SELECT count(*) FROM invoices WHERE tenant_id = '" + tenant + "'")).isEqualTo(1);

        // Stored, read back, recomputed: the same to the minor unit and the same hash.
        assertThat(replicaB.invoices().invoice(tenant, NOVEMBER)).isEqualTo(one);
        assertThat(replicaB.invoices().recompute(tenant, NOVEMBER).contentHash()).isEqualTo(one.contentHash());
        assertThat(replicaB.invoices().find(tenant, one.id())).contains(one);

        // Closed: a report is late, a plan change cannot reach back, and the rows refuse edits even from the owner.
        assertThat(replicaB.usage().record(report(tenant, "p-" + tenant, 99, "2026-11-29T00:00:00Z", 10, 10))).isEqualTo(Recorded.LATE);
        assertThatThrownBy(() -> replicaA.planChanges().change(tenant, "free", null, Instant.parse("2026-11-15T00:00:00Z"),
                Limits.none(), true, "operator"))
                .isInstanceOfSatisfying(BillingRefused.class, e -> assertThat(e.violations())
                        .extracting(BillingViolation::field).containsExactly("effectiveFrom"));
        assertThatThrownBy(() -> execute("UPDATE invoices SET total_minor = 0 WHERE tenant_id = '" + tenant + "'"))
                .isInstanceOf(SQLException.class).hasMessageContaining("immutable");
        assertThatThrownBy(() -> execute("DELETE FROM invoice_lines WHERE tenant_id = '" + tenant + "'"))
                .isInstanceOf(SQLException.class).hasMessageContaining("immutable");
        assertThat(replicaA.invoices().invoice(tenant, NOVEMBER)).isEqualTo(one);

        // A correction is a credit note: never more than the total in all, never on a draft; the invoice stays as it was.
        CreditNote credit = replicaA.creditNotes().issue(tenant, one, 1000, "outage on the 12th", "operator");
        assertThat(credit.amount()).isEqualTo(Money.of(1000, "USD"));
        assertThatThrownBy(() -> replicaB.creditNotes().issue(tenant, one, one.totalMinor() - 999, "too much", "operator"))
                .isInstanceOfSatisfying(BillingRefused.class, e -> assertThat(e.violations())
                        .extracting(BillingViolation::field).containsExactly("amountMinor"));
        Invoice december = replicaA.invoices().invoice(tenant, NOVEMBER.next());
        assertThatThrownBy(() -> replicaA.creditNotes().issue(tenant, december, 0, " ", "operator"))
                .isInstanceOfSatisfying(BillingRefused.class, e -> assertThat(e.violations())
                        .extracting(BillingViolation::field).containsExactly("", "amountMinor", "reason"));
        assertThat(replicaB.creditNotes().of(tenant, one)).containsExactly(credit);
        assertThat(replicaB.invoices().invoice(tenant, NOVEMBER)).isEqualTo(one);
        assertThat(replicaA.invoices().closePeriod(NOVEMBER)).as("already finalised: nothing more to do for it").isGreaterThanOrEqualTo(0);
        assertThat(count("SELECT count(*) FROM invoices WHERE tenant_id = '" + tenant + "'")).isEqualTo(1);
    }

    @Test
    void aMidMonthPlanChangeRatesEachPartWithItsVersion() {
        String tenant = BillingDatabase.newTenant();
        clock.set(Instant.parse("2026-11-10T00:00:00Z"));
        Subscription team = replicaA.planChanges().change(tenant, "team", null, null, Limits.none(), false, "owner");
        assertThat(team.plan().reference()).isEqualTo("team@1");
        replicaA.usage().record(report(tenant, "px", 1, "2026-11-05T00:00:00Z", 3600, 0));
        replicaA.usage().record(report(tenant, "px", 2, "2026-11-15T00:00:00Z", 7200, 0));
        Invoice draft = replicaA.invoices().invoice(tenant, NOVEMBER);
        assertThat(draft.planVersions()).containsExactly("free@1", "team@1");
        assertThat(draft.lines().get(1).quantity()).as("free part's endpoint seconds").isEqualTo(3600);
        assertThat(draft.lines().get(5).quantity()).as("team part's endpoint seconds").isEqualTo(7200);
        // The team fee for 21 of 30 days: 4,900 x 21/30 = 3,430 cents.
        assertThat(draft.lines().get(4).amountMinor()).isEqualTo(3430);

        // A tenant may not pick enterprise, nor back-date; and a currency change waits for a month's start. All at once.
        assertThatThrownBy(() -> replicaA.planChanges().change(tenant, "enterprise", null, Instant.parse("2026-11-01T00:00:00Z"),
                Limits.none(), false, "owner"))
                .isInstanceOfSatisfying(BillingRefused.class, e -> assertThat(e.violations())
                        .extracting(BillingViolation::field).containsExactly("plan", "effectiveFrom"));
        assertThatThrownBy(() -> replicaA.planChanges().change(tenant, "team-jp", null, null, Limits.none(), false, "owner"))
                .isInstanceOf(BillingRefused.class);
        Subscription yen = replicaA.planChanges().change(tenant, "team-jp", null, Instant.parse("2026-12-01T00:00:00Z"),
                Limits.none(), false, "owner");
        assertThat(yen.plan().currency().getCurrencyCode()).isEqualTo("JPY");
        assertThat(replicaA.invoices().invoice(tenant, NOVEMBER).currency().getCurrencyCode()).isEqualTo("USD");
        assertThat(replicaA.invoices().invoice(tenant, NOVEMBER.next()).currency().getCurrencyCode()).isEqualTo("JPY");
    }

    @Test
    void rowLevelSecurityHidesOtherTenantsBillingRows() throws Exception {
        String a = BillingDatabase.newTenant();
        String b = BillingDatabase.newTenant();
        replicaA.usage().record(report(a, "pa-" + a, 1, "2026-11-20T00:00:00Z", 10, 10));
        assertThat(replicaA.usage().byMesh(b, NOVEMBER.start(), NOVEMBER.end())).isEmpty();
        assertThat(replicaA.invoices().find(b, Invoice.idOf(a, NOVEMBER))).isEmpty();
        assertThat(replicaA.invoices().find(a, Invoice.idOf(a, NOVEMBER))).isPresent();
        // SQL that forgets its tenant, on the application's role, sees nothing; with B's tenant set, none of A's.
        try (Connection connection = poolA.getConnection(); Statement sql = connection.createStatement()) {
            connection.setAutoCommit(false);
            for (String table : List.of("billing_usage_reports", "billing_late_usage_reports", "billing_periods", "billing_subscriptions",
                    "invoices", "invoice_lines", "credit_notes")) {
                try (ResultSet rs = sql.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    assertThat(rs.getLong(1)).as(table).isZero();
                }
            }
            sql.execute("SELECT set_config('trellis.tenant_id', '" + b + "', true)");
            try (ResultSet rs = sql.executeQuery("SELECT count(*) FROM billing_usage_reports WHERE tenant_id = '" + a + "'")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
            assertThatThrownBy(() -> sql.execute("INSERT INTO billing_usage_reports VALUES ('x', 1, '" + a
                    + "', 'shop', now(), '2026-11-01', 1, 1, now())")).isInstanceOf(SQLException.class);
            connection.rollback();
        }
    }

    @Test
    void twoReplicasAdmittingTheLastSlotAtOnceAdmitOne() throws Exception {
        String tenant = BillingDatabase.newTenant();
        execute("CREATE TABLE IF NOT EXISTS quota_things (tenant_id text, n int); GRANT SELECT, INSERT ON quota_things TO trellis_app");
        // free@1 allows 10 connected proxies; 9 exist.
        for (int i = 0; i < 9; i++) execute("INSERT INTO quota_things VALUES ('" + tenant + "', " + i + ")");
        ExecutorService threads = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> admitted = new ArrayList<>();
        for (HikariDataSource pool : List.of(poolA, poolB)) {
            Billing replica = pool == poolA ? replicaA : replicaB;
            var transactions = new org.springframework.transaction.support.TransactionTemplate(
                    new org.springframework.jdbc.datasource.DataSourceTransactionManager(pool));
            var jdbc = org.springframework.jdbc.core.simple.JdbcClient.create(pool);
            admitted.add(threads.submit(() -> {
                start.await();
                try {
                    transactions.executeWithoutResult(status -> {
                        replica.quotas().admitOne(tenant, Quota.CONNECTED_PROXIES, () -> jdbc
                                .sql("SELECT count(*) FROM quota_things WHERE tenant_id = ?").param(tenant).query(Long.class).single());
                        try {
                            Thread.sleep(200); // the slow part of a registration, while the lock is held
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        jdbc.sql("INSERT INTO quota_things VALUES (?, 99)").param(tenant).update();
                    });
                    return true;
                } catch (QuotaExceeded e) {
                    assertThat(e.limit()).isEqualTo(10);
                    assertThat(e.current()).isEqualTo(10);
                    assertThat(e.plan()).isEqualTo("free@1");
                    return false;
                }
            }));
        }
        start.countDown();
        List<Boolean> outcomes = List.of(admitted.get(0).get(30, TimeUnit.SECONDS), admitted.get(1).get(30, TimeUnit.SECONDS));
        threads.shutdown();
        assertThat(outcomes).containsExactlyInAnyOrder(true, false);
        assertThat(count("SELECT count(*) FROM quota_things WHERE tenant_id = '" + tenant + "'")).isEqualTo(10);
    }

    private static long count(String query) throws SQLException {
        try (Connection connection = BillingDatabase.shared().owner().getConnection();
             Statement sql = connection.createStatement(); ResultSet rs = sql.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(String statement) throws SQLException {
        try (Connection connection = BillingDatabase.shared().owner().getConnection(); Statement sql = connection.createStatement()) {
            sql.execute(statement);
        }
    }
}
