package dev.trellis.controlplane.telemetry;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The route rows a report leaves in {@code usage_pending} come back from its encoding as they went in,
 * whatever their counts (zero to the largest a report may carry), and rows written by the version
 * before an upgrade are still read.
 */
class PendingRoutesTest {
    private static long count(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(200);
            case 2 -> random.nextLong() >>> 1;
            default -> Long.MAX_VALUE;
        };
    }

    private static UsageReport.RouteUsage row(Random random) {
        long[] byClass = new long[UsageReport.CLASSES.size()];
        for (int i = 0; i < byClass.length; i++) byClass[i] = count(random);
        long[] grpc = null;
        if (random.nextBoolean()) {
            grpc = new long[UsageReport.GRPC_CODES.size()];
            for (int i = 0; i < grpc.length; i++) grpc[i] = count(random);
        }
        byte[] latency = new byte[random.nextInt(300)];
        random.nextBytes(latency);
        return new UsageReport.RouteUsage(random.nextBoolean() ? "inbound" : "outbound", "route-" + random.nextInt(50) + "/0",
                "svc-é" + random.nextInt(9), random.nextBoolean() ? "" : "spiffe://t.trellis/mesh/m/service/s",
                byClass, count(random), count(random), count(random), count(random), latency, grpc);
    }

    private static void assertSame(List<UsageReport.RouteUsage> actual, List<UsageReport.RouteUsage> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            // Records compare arrays by identity: compare them field by field.
            assertThat(actual.get(i)).usingRecursiveComparison().isEqualTo(expected.get(i));
        }
    }

    @Test
    void rowsComeBackAsTheyWentIn() {
        Random random = new Random(31);
        for (int i = 0; i < 300; i++) {
            List<UsageReport.RouteUsage> rows = new ArrayList<>();
            for (int r = random.nextInt(30); r > 0; r--) rows.add(row(random));
            assertSame(PendingRoutes.decode(PendingRoutes.encode(rows)), rows);
        }
    }

    @Test
    void smallCountsTakeOneByteEach() {
        Random random = new Random(32);
        UsageReport.RouteUsage row = row(random);
        UsageReport.RouteUsage small = new UsageReport.RouteUsage("outbound", "r/0", "svc", "", new long[]{0, 90, 0, 1, 2}, 1000, 20000,
                0, 0, row.latency(), null);
        // Names (2 + length each), nine counts (1, 1, 1, 1, 1, 2, 3, 1, 1 bytes), the latency's length and bytes, no gRPC.
        int expected = 1 + 4 + (2 + 8) + (2 + 3) + (2 + 3) + 2 + 12 + (row.latency().length < 128 ? 1 : 2) + row.latency().length + 1;
        assertThat(PendingRoutes.encode(List.of(small))).hasSize(expected);
    }

    @Test
    void readsRowsOfTheVersionBefore() throws IOException {
        Random random = new Random(33);
        List<UsageReport.RouteUsage> rows = List.of(row(random), row(random), row(random));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            // Version 2: fixed eight-byte counts and a four-byte latency length.
            out.writeByte(2);
            out.writeInt(rows.size());
            for (UsageReport.RouteUsage row : rows) {
                out.writeUTF(row.direction());
                out.writeUTF(row.rule());
                out.writeUTF(row.upstream());
                out.writeUTF(row.caller());
                for (long n : row.requestsByClass()) out.writeLong(n);
                out.writeLong(row.bytesIn());
                out.writeLong(row.bytesOut());
                out.writeLong(row.retries());
                out.writeLong(row.breakerRejections());
                out.writeInt(row.latency().length);
                out.write(row.latency());
                out.writeByte(row.grpcByCode() == null ? 0 : row.grpcByCode().length);
                if (row.grpcByCode() != null) for (long n : row.grpcByCode()) out.writeLong(n);
            }
        }
        assertSame(PendingRoutes.decode(bytes.toByteArray()), rows);
    }
}
