package dev.trellis.controlplane.telemetry;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * The golden metrics of some buckets over a span of seconds: rate, success rate (answers that are not
 * 5xx, the proxy's own 503s included), latency percentiles of the merged histograms, bytes, retries
 * and breaker rejections. Rates and percentiles are null when there was no request.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
record GoldenMetrics(long requests, double rps, Double successRate, Double p50Ms, Double p90Ms, Double p95Ms, Double p99Ms,
                     long bytesIn, long bytesOut, long retries, long breakerRejections) {

    static GoldenMetrics of(List<MetricBuckets.Row> rows, double seconds) {
        long requests = 0;
        long failures = 0;
        long in = 0;
        long out = 0;
        long retries = 0;
        long rejections = 0;
        for (MetricBuckets.Row row : rows) {
            requests += row.requests();
            failures += row.failures();
            in += row.bytesIn();
            out += row.bytesOut();
            retries += row.retries();
            rejections += row.breakerRejections();
        }
        Histogram latency = MetricBuckets.merged(rows);
        Double success = requests == 0 ? null : (double) (requests - failures) / requests;
        return new GoldenMetrics(requests, seconds <= 0 ? 0 : requests / seconds, success, Latency.millis(latency, 50),
                Latency.millis(latency, 90), Latency.millis(latency, 95), Latency.millis(latency, 99), in, out, retries, rejections);
    }
}
