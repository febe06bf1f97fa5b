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
        long requests = 0;
        long failures = 0;
        long in = 0;
        long out = 0;
        long retries = 0;
        long rejections = 0;
        long[] grpc = new long[UsageReport.GRPC_CODES.size()];
        for (MetricBuckets.Row row : rows) {
            for (int code = 0; code < Math.min(grpc.length, row.grpc().length); code++) grpc[code] += row.grpc()[code];
            requests += row.requests();
            failures += row.failures();
            in += row.bytesIn();
            out += row.bytesOut();
            retries += row.retries();
            rejections += row.breakerRejections();
        }
        Histogram latency = MetricBuckets.merged(rows);
        Double success = requests == 0 ? null : (double) (requests - failures) / requests;
        Map<String, Long> statuses = new LinkedHashMap<>();
        for (int code = 0; code < grpc.length; code++) if (grpc[code] > 0) statuses.put(UsageReport.GRPC_CODES.get(code), grpc[code]);
        return new GoldenMetrics(requests, seconds <= 0 ? 0 : requests / seconds, success, Latency.millis(latency, 50),
                Latency.millis(latency, 90), Latency.millis(latency, 95), Latency.millis(latency, 99), in, out, retries, rejections, statuses);
    }
}
