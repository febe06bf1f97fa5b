package dev.trellis.controlplane.telemetry;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.HdrHistogram.Histogram;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The golden metrics of some buckets over a span of seconds: rate, success rate (answers that are not
 * 5xx, the proxy's own 503s included, nor gRPC calls whose grpc-status says the server failed),
 * latency percentiles of the merged histograms, bytes, retries and breaker rejections, and gRPC calls
 * by grpc-status name (empty without gRPC). Rates and percentiles are null when there was no request.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
record GoldenMetrics(long requests, double rps, Double successRate, Double p50Ms, Double p90Ms, Double p95Ms, Double p99Ms,
                     long bytesIn, long bytesOut, long retries, long breakerRejections, Map<String, Long> grpcStatuses) {

    static GoldenMetrics of(List<MetricBuckets.Row> rows, double seconds) {
        Totals totals = new Totals();
        rows.forEach(totals::add);
        return totals.metrics(seconds);
    }

    /**
     * Buckets added up: their counts, and their latency by histogram index ({@link Latency.Sum}). A row's
     * stored histogram is read once, and totals of totals add arrays, so a series reads each bucket once for
     * its point and adds the points for its whole range, instead of reading every bucket twice.
     */
    static final class Totals {
        private long requests;
        private long failures;
        private long bytesIn;
        private long bytesOut;
        private long retries;
        private long rejections;
        private final long[] grpc = new long[UsageReport.GRPC_CODES.size()];
        private final Latency.Sum latency = new Latency.Sum();

        Totals add(MetricBuckets.Row row) {
            for (int code = 0; code < Math.min(grpc.length, row.grpc().length); code++) grpc[code] += row.grpc()[code];
            requests += row.requests();
            failures += row.failures();
            bytesIn += row.bytesIn();
            bytesOut += row.bytesOut();
            retries += row.retries();
            rejections += row.breakerRejections();
            Latency.addTo(latency, row.latency());
            return this;
        }

        Totals add(Totals other) {
            for (int code = 0; code < grpc.length; code++) grpc[code] += other.grpc[code];
            requests += other.requests;
            failures += other.failures;
            bytesIn += other.bytesIn;
            bytesOut += other.bytesOut;
            retries += other.retries;
            rejections += other.rejections;
            latency.add(other.latency);
            return this;
        }

        /** The metrics of what was added, over {@code seconds}; add nothing afterwards. */
        GoldenMetrics metrics(double seconds) {
            Histogram merged = latency.histogram();
            Double success = requests == 0 ? null : (double) (requests - failures) / requests;
            Map<String, Long> statuses = new LinkedHashMap<>();
            for (int code = 0; code < grpc.length; code++) if (grpc[code] > 0) statuses.put(UsageReport.GRPC_CODES.get(code), grpc[code]);
            return new GoldenMetrics(requests, seconds <= 0 ? 0 : requests / seconds, success, Latency.millis(merged, 50),
                    Latency.millis(merged, 90), Latency.millis(merged, 95), Latency.millis(merged, 99), bytesIn, bytesOut, retries,
                    rejections, statuses);
        }
    }
}
