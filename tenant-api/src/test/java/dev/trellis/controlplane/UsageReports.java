package dev.trellis.controlplane;

import org.HdrHistogram.Histogram;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

/** Usage reports as a proxy writes them (see the proxy's UsageReporter), for tests of the control plane. */
final class UsageReports {
    private final ObjectNode report = Api.JSON.createObjectNode();
    private final ArrayNode routes = report.putArray("routes");

    UsageReports(long sequence, Instant windowStart, Instant windowEnd) {
        report.put("sequence", sequence);
        report.put("windowStart", windowStart.toString());
        report.put("windowEnd", windowEnd.toString());
        report.put("uptimeSeconds", 42.5);
        report.put("snapshotVersion", "sha256:test");
        report.putObject("connections").put("inboundOpened", 1).put("outboundOpened", 2).put("inboundActive", 1).put("outboundActive", 1);
    }

    /** A route row: {@code ok} 2xx and {@code failed} 5xx answers, with {@code latencyMicros} (one value per request). */
    UsageReports route(String direction, String rule, String upstream, String caller, long ok, long failed, long... latencyMicros) {
        ObjectNode row = routes.addObject();
        row.put("direction", direction).put("rule", rule).put("upstream", upstream);
        if (caller != null) row.put("caller", caller);
        ObjectNode requests = row.putObject("requests");
        if (ok > 0) requests.put("2xx", ok);
        if (failed > 0) requests.put("5xx", failed);
        row.put("bytesIn", 10 * (ok + failed)).put("bytesOut", 100 * (ok + failed)).put("retries", failed).put("breakerRejections", 0);
        row.put("latencyMicros", histogram(latencyMicros));
        return this;
    }

    /** Adds gRPC counts by status name ("OK", 90, "UNAVAILABLE", 10 …) to the last route row. */
    UsageReports grpc(Object... nameThenCount) {
        ObjectNode grpc = ((ObjectNode) routes.get(routes.size() - 1)).putObject("grpc");
        for (int i = 0; i + 1 < nameThenCount.length; i += 2) grpc.put((String) nameThenCount[i], ((Number) nameThenCount[i + 1]).longValue());
        return this;
    }

    static String histogram(long... micros) {
        Histogram histogram = new Histogram(2);
        histogram.setAutoResize(true);
        for (long value : micros) histogram.recordValue(value);
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length));
    }

    /** {@code n} latencies: {@code slowShare} of them at {@code slow} µs, the rest at {@code fast} µs. */
    static long[] latencies(int n, double slowShare, long fast, long slow) {
        long[] values = new long[n];
        for (int i = 0; i < n; i++) values[i] = i < n * slowShare ? slow : fast;
        return values;
    }

    ObjectNode json() {
        return report;
    }

    @Override
    public String toString() {
        return report.toString();
    }
}
