package dev.trellis.billing;

import com.zaxxer.hikari.HikariDataSource;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random streams of usage reports, each delivered one to three times, out of order, to either of two
 * replicas (two billing instances with their own pools on one PostgreSQL), some within the grace
 * after the month and some after it: the finalised invoice equals, to the minor unit and hash, the one
 * rated from the deduplicated stream of the reports whose first delivery came in time, aggregated here
 * in memory, independently of the SQL.
 */
class UsageStreamPropertiesIT {
    static final Period NOVEMBER = new Period(YearMonth.of(2026, 11));
    static final Duration GRACE = Duration.ofHours(48);
    private static HikariDataSource[] pools;

    record Delivery(int report, int replica, Instant at) {
    }

    record Stream(List<UsageReport> reports, List<Delivery> deliveries, Instant planChange) {
    }

    @Property(tries = 40)
    void theInvoiceIsTheDeduplicatedStreamsToTheMinorUnit(@ForAll("streams") Stream stream) {
        HikariDataSource[] replicaPools = pools();
        String tenant = stream.reports().getFirst().tenantId();
        SettableClock clock = new SettableClock(NOVEMBER.start());
        Billing.Settings settings = new Billing.Settings(GRACE, "free");
        Billing[] replicas = {BillingDatabase.shared().replica(replicaPools[0], clock, settings),
                BillingDatabase.shared().replica(replicaPools[1], clock, settings)};
        replicas[0].planChanges().change(tenant, "team", 1, NOVEMBER.start(), Limits.none(), true, "operator");
        if (stream.planChange() != null) {
            replicas[1].planChanges().change(tenant, "enterprise", 1, stream.planChange(), Limits.none(), true, "operator");
        }

        Map<Integer, Instant> firstDelivery = new HashMap<>();
        for (Delivery delivery : stream.deliveries()) {
            clock.set(delivery.at());
            Recorded recorded = replicas[delivery.replica()].usage().record(stream.reports().get(delivery.report()));
            boolean inTime = delivery.at().isBefore(NOVEMBER.graceEnd(GRACE));
            Instant first = firstDelivery.putIfAbsent(delivery.report(), delivery.at());
            if (first == null) assertThat(recorded).isEqualTo(inTime ? Recorded.ACCEPTED : Recorded.LATE);
            else assertThat(recorded).isIn(Recorded.DUPLICATE, Recorded.LATE);
        }

        clock.set(NOVEMBER.graceEnd(GRACE).plus(Duration.ofHours(1)));
        Invoice finalized = replicas[1].invoices().finalizeInvoice(tenant, NOVEMBER);
        assertThat(replicas[0].invoices().finalizeInvoice(tenant, NOVEMBER)).isEqualTo(finalized);

        Invoice expected = expected(stream, firstDelivery, replicas[0]);
        assertThat(finalized.lines()).isEqualTo(expected.lines());
        assertThat(finalized.totalMinor()).isEqualTo(expected.totalMinor());
        assertThat(finalized.contentHash()).isEqualTo(expected.contentHash());
        assertThat(replicas[0].invoices().recompute(tenant, NOVEMBER).contentHash()).isEqualTo(finalized.contentHash());
        long late = firstDelivery.values().stream().filter(at -> !at.isBefore(NOVEMBER.graceEnd(GRACE))).count();
        assertThat(replicas[1].usage().lateReports(tenant, NOVEMBER)).isEqualTo(late);
    }

    private static Invoice expected(Stream stream, Map<Integer, Instant> firstDelivery, Billing billing) {
        Plan team = billing.plans().find("team", 1).orElseThrow();
        Plan enterprise = billing.plans().find("enterprise", 1).orElseThrow();
        List<Rating.Segment> segments = new ArrayList<>();
        Instant change = stream.planChange();
        if (change == null) {
            segments.add(segment(stream, firstDelivery, team, NOVEMBER.start(), NOVEMBER.end()));
        } else {
            segments.add(segment(stream, firstDelivery, team, NOVEMBER.start(), change));
            segments.add(segment(stream, firstDelivery, enterprise, change, NOVEMBER.end()));
        }
        return Invoice.of(stream.reports().getFirst().tenantId(), NOVEMBER, Invoice.Status.FINALIZED, team.currency(),
                Rating.lines(NOVEMBER, segments), null);
    }

    private static Rating.Segment segment(Stream stream, Map<Integer, Instant> firstDelivery, Plan plan, Instant from, Instant to) {
        long seconds = 0;
        long requests = 0;
        Set<String> meshes = new HashSet<>();
        for (int i = 0; i < stream.reports().size(); i++) {
            UsageReport report = stream.reports().get(i);
            boolean counted = firstDelivery.get(i).isBefore(NOVEMBER.graceEnd(GRACE));
            if (!counted || report.eventTime().isBefore(from) || !report.eventTime().isBefore(to)) continue;
            seconds += report.proxySeconds();
            requests += report.requests();
            meshes.add(report.mesh());
        }
        return new Rating.Segment(plan, from, to, new Usage(seconds, requests, meshes.size()));
    }

    @Provide
    Arbitrary<Stream> streams() {
        long month = NOVEMBER.seconds();
        Arbitrary<int[]> report = Combinators.combine(
                Arbitraries.integers().between(0, 3),                       // proxy
                Arbitraries.integers().between(0, 2),                       // mesh
                Arbitraries.integers().between(0, (int) month - 1),         // event second in the month
                Arbitraries.integers().between(0, 2_000_000),               // proxy seconds
                Arbitraries.integers().between(0, 50_000_000))              // requests
                .as((proxy, mesh, at, seconds, requests) -> new int[]{proxy, mesh, at, seconds, requests});
        Arbitrary<List<int[]>> reports = report.list().ofMinSize(1).ofMaxSize(30);
        Arbitrary<Integer> planChangeDay = Arbitraries.integers().between(0, 29);
        Arbitrary<Long> seed = Arbitraries.longs();
        return Combinators.combine(reports, planChangeDay, seed).as((rows, changeDay, random) -> {
            String tenant = BillingDatabase.newTenant();
            java.util.Random dice = new java.util.Random(random);
            List<UsageReport> stream = new ArrayList<>();
            int[] sequences = new int[4];
            for (int[] row : rows) {
                stream.add(new UsageReport(tenant, tenant + "-p" + row[0], sequences[row[0]]++, "mesh-" + row[1],
                        NOVEMBER.start().plusSeconds(row[2]), row[3], row[4]));
            }
            List<Delivery> deliveries = new ArrayList<>();
            long window = Duration.between(NOVEMBER.start(), NOVEMBER.graceEnd(GRACE).plus(Duration.ofDays(1))).toSeconds();
            for (int i = 0; i < stream.size(); i++) {
                long earliest = Duration.between(NOVEMBER.start(), stream.get(i).eventTime()).toSeconds();
                int copies = 1 + dice.nextInt(3);
                for (int c = 0; c < copies; c++) {
                    long at = earliest + (long) (dice.nextDouble() * (window - earliest));
                    deliveries.add(new Delivery(i, dice.nextInt(2), NOVEMBER.start().plusSeconds(at)));
                }
            }
            deliveries.sort(Comparator.comparing(Delivery::at));
            Instant change = changeDay == 0 ? null : NOVEMBER.start().plus(Duration.ofDays(changeDay));
            return new Stream(stream, deliveries, change);
        });
    }

    private static synchronized HikariDataSource[] pools() {
        if (pools == null) {
            pools = new HikariDataSource[]{BillingDatabase.shared().applicationPool(), BillingDatabase.shared().applicationPool()};
        }
        return pools;
    }
}
