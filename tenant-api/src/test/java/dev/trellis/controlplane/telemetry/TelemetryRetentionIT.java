package dev.trellis.controlplane.telemetry;

import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.fleet.FleetProxy;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The roll-up on the real PostgreSQL: minute buckets older than the retention become hour buckets
 * with the same counts and the merged histogram, a late report for a rolled-up minute is moved into
 * the same hour by the next run, a second run moves nothing twice, and old report keys are forgotten.
 * Same configuration as the other ITs, so the context is shared.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "trellis.operator-key=it-operator-key-0123456789",
        "trellis.home=target/it-home"})
@Timeout(60)
class TelemetryRetentionIT {
    @Autowired
    TelemetryRetention retention;
    @Autowired
    UsageIngest ingest;
    @Autowired
    UsageFolding folding;
    @Autowired
    TenantTransactions transactions;
    @Autowired
    JdbcTemplate jdbc;

    private static UsageReport report(long sequence, Instant start, long ok, long failed, long... micros) {
        Histogram latency = Latency.empty();
        for (long m : micros) latency.recordValue(m);
        long[] byClass = {0, ok, 0, 0, failed};
        // Every 2xx answer is a gRPC call too: OK, but one UNAVAILABLE per report.
        long[] grpc = new long[UsageReport.GRPC_CODES.size()];
        grpc[0] = ok - 1;
        grpc[14] = 1;
        return new UsageReport("p", sequence, start, start.plusSeconds(10), 1, null, 0, 0, 0,
                List.of(new UsageReport.RouteUsage("inbound", "inbound", "echo", "", byClass, 1, 2, 0, 0, Latency.encode(latency), grpc)));
    }

    @Test
    void oldMinutesBecomeHoursLateReportsFollowAndNothingMovesTwice() {
        String tenant = "rollup-" + UUID.randomUUID();
        FleetProxy proxy = new FleetProxy("proxy-" + UUID.randomUUID(), tenant, "shop", "echo", "v1");
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(3, ChronoUnit.DAYS);
        Instant received = Instant.now();
        assertThat(ingest.ingest(proxy, report(1, hour.plusSeconds(60), 10, 1, 1_000, 2_000), received)).isTrue();
        assertThat(ingest.ingest(proxy, report(2, hour.plusSeconds(1800), 5, 0, 50_000), received)).isTrue();
        // Recent: stays a minute bucket.
        Instant recent = Instant.now().minusSeconds(120);
        assertThat(ingest.ingest(proxy, report(3, recent, 7, 0, 3_000), received)).isTrue();

        int moved = retention.rollUp(Instant.now());
        assertThat(moved).isGreaterThanOrEqualTo(2);
        assertThat(rows("metric_minutes", tenant)).hasSize(1);
        List<Map<String, Object>> hours = rows("metric_hours", tenant);
        assertThat(hours).hasSize(1);
        assertThat(hours.getFirst().get("bucket")).isEqualTo(java.sql.Timestamp.from(hour));
        assertThat(hours.getFirst().get("requests_2xx")).isEqualTo(15L);
        assertThat(hours.getFirst().get("requests_5xx")).isEqualTo(1L);
        assertThat(Latency.decodeStored((byte[]) hours.getFirst().get("latency")).getTotalCount()).isEqualTo(3);

        // A late report for that hour is counted, then moved into the same hour row.
        assertThat(ingest.ingest(proxy, report(4, hour.plusSeconds(3000), 4, 0, 9_000), received)).isTrue();
        retention.rollUp(Instant.now());
        retention.rollUp(Instant.now());
        hours = rows("metric_hours", tenant);
        assertThat(hours).hasSize(1);
        assertThat(hours.getFirst().get("requests_2xx")).isEqualTo(19L);
        Long[] grpc = grpc(hours.getFirst());
        assertThat(grpc).as("gRPC counts by code: 16 OK, 3 UNAVAILABLE").hasSize(17);
        assertThat(grpc[0]).isEqualTo(16L);
        assertThat(grpc[14]).isEqualTo(3L);
        Histogram merged = Latency.decodeStored((byte[]) hours.getFirst().get("latency"));
        assertThat(merged.getTotalCount()).isEqualTo(4);
        assertThat(merged.getMaxValue()).isBetween(49_000L, 51_000L);
        assertThat(rows("metric_minutes", tenant)).hasSize(1);
        // Usage rows for billing are never rolled up.
        assertThat(transactions.inTenant(tenant, () -> jdbc.queryForObject(
                "SELECT sum(requests) FROM usage_minutes WHERE tenant_id = ?", Long.class, tenant))).isEqualTo(27L);

        // Report keys older than the report retention are forgotten.
        retention.rollUp(Instant.now().plus(8, ChronoUnit.DAYS));
        assertThat(transactions.inTenant(tenant, () -> jdbc.queryForObject(
                "SELECT count(*) FROM usage_reports WHERE tenant_id = ?", Long.class, tenant))).isZero();
        assertThat(rows("metric_hours", tenant)).as("the old hour and the recent minute's hour").hasSize(2);

        // Hour buckets older than the hour retention (90 days by default) are deleted; younger ones stay.
        retention.rollUp(hour.plus(90, ChronoUnit.DAYS).plus(2, ChronoUnit.HOURS));
        List<Map<String, Object>> left = rows("metric_hours", tenant);
        assertThat(left).hasSize(1);
        assertThat(left.getFirst().get("bucket")).isEqualTo(java.sql.Timestamp.from(recent.truncatedTo(ChronoUnit.HOURS)));
        assertThat(left.getFirst().get("requests_2xx")).isEqualTo(7L);
    }

    /**
     * A backlog of many services and minutes (what proxies deliver after an outage) is folded, and later rolled
     * up, in groups written as they fill (some thousand buckets each, so a fold holds a bounded number of sums):
     * every bucket gets each of its reports once, across the groups' boundaries.
     */
    @Test
    void aBacklogOfManyServicesAndMinutesIsFoldedAndRolledUpInGroupsWithEveryReportCountedOnce() {
        String tenant = "backlog-" + UUID.randomUUID();
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(3, ChronoUnit.DAYS);
        int services = 120;
        int routes = 8;
        long[] minutes = {1, 2, 30};
        Instant received = Instant.now();
        long expected2xx = 0;
        long sequence = 0;
        for (int s = 0; s < services; s++) {
            for (String proxyId : List.of("a-" + s + "-" + tenant, "b-" + s + "-" + tenant)) {
                FleetProxy proxy = new FleetProxy(proxyId, tenant, "shop", "svc-" + s, "v1");
                for (long minute : minutes) {
                    List<UsageReport.RouteUsage> rows = new java.util.ArrayList<>();
                    for (int r = 0; r < routes; r++) {
                        long ok = s + r + minute;
                        expected2xx += ok;
                        rows.add(new UsageReport.RouteUsage("outbound", "route-" + r + "/0", "svc-" + r, "", new long[]{0, ok, 0, 0, 1},
                                1, 2, 0, 0, encoded(1_000 + r), new long[0]));
                    }
                    expected2xx += 3;
                    rows.add(new UsageReport.RouteUsage("inbound", "inbound", "svc-" + s, "", new long[]{0, 3, 0, 0, 0}, 1, 2, 0, 0,
                            encoded(2_000), new long[0]));
                    Instant start = hour.plusSeconds(60 * minute);
                    UsageReport report = new UsageReport(proxyId, ++sequence, start, start.plusSeconds(10), 1, null, 0, 0, 0, rows);
                    assertThat(ingest.ingest(proxy, report, received)).isTrue();
                }
            }
        }
        int buckets = services * minutes.length * (routes + 1);
        folding.catchUp(tenant);
        assertThat(count("metric_minutes", tenant)).as("minute buckets, more than one group's worth").isEqualTo(buckets);
        assertThat(sum("metric_minutes", tenant, "requests_2xx")).isEqualTo(expected2xx);
        assertThat(sum("metric_minutes", tenant, "requests_5xx")).isEqualTo((long) services * 2 * minutes.length * routes);
        assertThat(rows("metric_minutes", tenant)).allSatisfy(row ->
                assertThat(Latency.decodeStored((byte[]) row.get("latency")).getTotalCount()).as("both proxies' reports").isEqualTo(2));

        retention.rollUp(Instant.now());
        assertThat(count("metric_minutes", tenant)).isZero();
        assertThat(count("metric_hours", tenant)).as("hour buckets, more than one group's worth").isEqualTo(services * (routes + 1));
        assertThat(sum("metric_hours", tenant, "requests_2xx")).isEqualTo(expected2xx);
        assertThat(rows("metric_hours", tenant)).allSatisfy(row ->
                assertThat(Latency.decodeStored((byte[]) row.get("latency")).getTotalCount()).as("three minutes of two proxies").isEqualTo(6));
    }

    private static byte[] encoded(long micros) {
        Histogram latency = Latency.empty();
        latency.recordValue(micros);
        return Latency.encode(latency);
    }

    private long count(String table, String tenant) {
        return transactions.inTenant(tenant, () -> jdbc.queryForObject("SELECT count(*) FROM " + table + " WHERE tenant_id = ?", Long.class, tenant));
    }

    private long sum(String table, String tenant, String column) {
        return transactions.inTenant(tenant, () -> jdbc.queryForObject(
                "SELECT coalesce(sum(" + column + "), 0) FROM " + table + " WHERE tenant_id = ?", Long.class, tenant));
    }

    private static Long[] grpc(Map<String, Object> row) {
        try {
            return (Long[]) ((java.sql.Array) row.get("grpc_statuses")).getArray();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Map<String, Object>> rows(String table, String tenant) {
        return transactions.inTenant(tenant, () -> jdbc.queryForList("SELECT * FROM " + table + " WHERE tenant_id = ?", tenant));
    }
}
