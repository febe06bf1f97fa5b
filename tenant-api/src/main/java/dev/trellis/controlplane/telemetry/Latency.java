package dev.trellis.controlplane.telemetry;

import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.DataFormatException;

/**
 * Latency as the proxies send it: an HdrHistogram of microseconds in its compressed encoding.
 * Histograms merge by adding counts, in any order with the same result, which is what makes minute
 * buckets, hour roll-ups and query windows exact merges of what the proxies measured.
 */
final class Latency {
    /** Two significant digits, as the proxy records; adding a histogram of more digits still works. */
    static final int DIGITS = 2;
    /** Largest encoded histogram accepted from a proxy. */
    static final int MAX_ENCODED_BYTES = 64 * 1024;

    private Latency() {
    }

    static Histogram empty() {
        Histogram histogram = new Histogram(DIGITS);
        histogram.setAutoResize(true);
        return histogram;
    }

    static Optional<Histogram> decode(byte[] encoded) {
        if (encoded == null || encoded.length == 0 || encoded.length > MAX_ENCODED_BYTES) return Optional.empty();
        try {
            // Decoded as it was encoded (its range and digits), then allowed to grow when more is added to it:
            // no second histogram to copy it into (ingestion decodes every row of every report).
            Histogram decoded = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(encoded), 0);
            decoded.setAutoResize(true);
            return Optional.of(decoded);
        } catch (DataFormatException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static Histogram decodeStored(byte[] encoded) {
        return decode(encoded).orElseGet(Latency::empty);
    }

    static byte[] encode(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Arrays.copyOf(buffer.array(), length);
    }

    /** The latency at {@code percentile} (0–100) in milliseconds, or null with no requests. */
    static Double millis(Histogram histogram, double percentile) {
        if (histogram.getTotalCount() == 0) return null;
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }
}
