package dev.trellis.controlplane.telemetry;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.DataFormatException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Latency} reads HdrHistogram's V2 encodings (compressed and plain) and writes the compressed one without HdrHistogram's decoder:
 * over random histograms (digits, units, ranges, zero runs, large counts) it must agree with the
 * library exactly, both ways, and refuse damaged encodings without throwing.
 */
class LatencyTest {
    private static Histogram random(Random random) {
        int digits = 1 + random.nextInt(4);
        long lowest = random.nextBoolean() ? 1 : 1 + random.nextInt(2000);
        Histogram histogram = new Histogram(lowest, 2 * lowest + random.nextInt(1000), digits);
        histogram.setAutoResize(true);
        int values = random.nextInt(300);
        long range = switch (random.nextInt(3)) {
            case 0 -> 1_000;
            case 1 -> 100_000_000;
            default -> 1L << 50;
        };
        for (int i = 0; i < values; i++) {
            long count = random.nextInt(10) == 0 ? 1L + random.nextInt(Integer.MAX_VALUE) * 1000L : 1 + random.nextInt(5);
            histogram.recordValueWithCount(Math.floorMod(random.nextLong(), range), count);
        }
        return histogram;
    }

    private static byte[] libraryEncoding(Histogram histogram) {
        return libraryEncoding(histogram, true);
    }

    private static byte[] plainLibraryEncoding(Histogram histogram) {
        return libraryEncoding(histogram, false);
    }

    private static byte[] libraryEncoding(Histogram histogram, boolean compressed) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = compressed ? histogram.encodeIntoCompressedByteBuffer(buffer) : histogram.encodeIntoByteBuffer(buffer);
        return Arrays.copyOf(buffer.array(), length);
    }

    @Test
    void readsWhatHdrHistogramWrites() throws DataFormatException {
        Random random = new Random(14);
        for (int i = 0; i < 400; i++) {
            Histogram source = random(random);
            byte[] encoded = libraryEncoding(source);
            Histogram expected = Latency.empty();
            expected.add(Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(encoded), 0));

            assertThat(Latency.checked(encoded)).as("case %d", i).isNotNull();
            Histogram added = Latency.empty();
            added.recordValue(7);
            expected.recordValue(7);
            assertThat(Latency.addTo(added, encoded)).isTrue();
            assertThat(added).as("case %d", i).isEqualTo(expected);
            assertThat(added.getTotalCount()).isEqualTo(expected.getTotalCount());
        }
    }

    @Test
    void hdrHistogramReadsWhatItWrites() throws DataFormatException {
        Random random = new Random(15);
        for (int i = 0; i < 400; i++) {
            Histogram source = random(random);
            // Stored buckets are HdrHistogram's plain V2 encoding, which the library itself reads.
            byte[] encoded = Latency.encode(source);
            assertThat(ByteBuffer.wrap(encoded).getInt()).as("the plain V2 cookie").isEqualTo(0x1c849303 | 0x10);
            Histogram decoded = Histogram.decodeFromByteBuffer(ByteBuffer.wrap(encoded), 0);
            // (Against the library's own round trip: an empty histogram with a large unit does not survive that exactly.)
            Histogram expected = Histogram.decodeFromByteBuffer(ByteBuffer.wrap(plainLibraryEncoding(source)), 0);
            assertThat(decoded).as("case %d", i).isEqualTo(expected);
            if (source.getTotalCount() > 0) assertThat(decoded).isEqualTo(source);
            assertThat(Latency.decodeStored(encoded)).isEqualTo(Latency.decodeStored(libraryEncoding(source)));
        }
    }

    /** What the proxies send (two digits from 1 µs), and now and then any other layout. */
    private static Histogram proxyLike(Random random) {
        if (random.nextInt(5) == 0) return random(random);
        Histogram histogram = Latency.empty();
        int values = random.nextInt(200);
        long range = random.nextBoolean() ? 100_000 : 1L << 40;
        for (int i = 0; i < values; i++) histogram.recordValueWithCount(Math.floorMod(random.nextLong(), range), 1 + random.nextInt(50));
        return histogram;
    }

    @Test
    void aSumIsTheHistogramOfEverythingAdded() {
        Random random = new Random(17);
        for (int i = 0; i < 300; i++) {
            int rows = random.nextInt(25);
            Latency.Sum sum = new Latency.Sum();
            Histogram expected = Latency.empty();
            for (int r = 0; r < rows; r++) {
                byte[] encoded = random.nextBoolean() ? libraryEncoding(proxyLike(random)) : Latency.encode(proxyLike(random));
                assertThat(Latency.addTo(sum, encoded)).isTrue();
                assertThat(Latency.addTo(expected, encoded)).isTrue();
            }
            Histogram summed = sum.histogram();
            assertThat(summed).as("case %d", i).isEqualTo(expected);
            assertThat(summed.getTotalCount()).isEqualTo(expected.getTotalCount());
            assertThat(Latency.decodeStored(Latency.encode(summed))).as("case %d", i).isEqualTo(Latency.decodeStored(Latency.encode(expected)));
            // What a fold does next with an existing bucket: merge the stored histogram into it.
            byte[] stored = Latency.encode(proxyLike(random));
            assertThat(Latency.addTo(summed, stored)).isTrue();
            assertThat(Latency.addTo(expected, stored)).isTrue();
            assertThat(summed).isEqualTo(expected);
        }
        assertThat(new Latency.Sum().histogram().getTotalCount()).isZero();
    }

    @Test
    void sumsOfSumsAreTheHistogramOfEverythingAddedToAny() {
        Random random = new Random(23);
        for (int i = 0; i < 100; i++) {
            Latency.Sum total = new Latency.Sum();
            Histogram expected = Latency.empty();
            for (int part = 0; part < 1 + random.nextInt(6); part++) {
                Latency.Sum sum = new Latency.Sum();
                for (int r = 0; r < random.nextInt(8); r++) {
                    // A histogram of another precision goes to the sum's own histogram, and must be added too.
                    Histogram h = random.nextInt(5) == 0 ? new Histogram(3) : proxyLike(random);
                    if (h.getTotalCount() == 0) h.recordValue(1 + random.nextInt(1_000_000));
                    byte[] encoded = Latency.encode(h);
                    assertThat(Latency.addTo(sum, encoded)).isTrue();
                    assertThat(Latency.addTo(expected, encoded)).isTrue();
                }
                // A part whose histogram was taken (a series' point) still adds all of its counts to the total.
                if (random.nextBoolean()) sum.histogram();
                total.add(sum);
            }
            assertThat(total.histogram().getTotalCount()).as("case %d", i).isEqualTo(expected.getTotalCount());
            for (double percentile : new double[]{50, 90, 99, 100}) {
                assertThat(total.histogram().getValueAtPercentile(percentile)).as("case %d p%s", i, percentile)
                        .isEqualTo(expected.getValueAtPercentile(percentile));
            }
        }
    }

    @Test
    void keepsWhatItCheckedPlainWithTheSameCounts() throws DataFormatException {
        Random random = new Random(17);
        for (int i = 0; i < 400; i++) {
            Histogram source = random(random);
            byte[] compressed = libraryEncoding(source);
            Histogram expected = Latency.empty();
            expected.add(Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(compressed), 0));

            // The compressed encoding a proxy sends is kept inflated: what a fold adds needs no inflater.
            byte[] kept = Latency.checked(compressed);
            assertThat(kept).as("case %d", i).isNotNull();
            assertThat(ByteBuffer.wrap(kept).getInt()).isEqualTo(0x1c849303 | 0x10);
            Histogram added = Latency.empty();
            assertThat(Latency.addTo(added, kept)).isTrue();
            assertThat(added).as("case %d", i).isEqualTo(expected);
            Latency.Sum sum = new Latency.Sum();
            assertThat(Latency.addTo(sum, kept)).isTrue();
            assertThat(sum.histogram()).as("case %d", i).isEqualTo(expected);

            // A plain encoding from the wire is accepted as it is.
            byte[] plain = plainLibraryEncoding(source);
            assertThat(Latency.checked(plain)).isSameAs(plain);
            Histogram fromPlain = Latency.empty();
            assertThat(Latency.addTo(fromPlain, plain)).isTrue();
            assertThat(fromPlain).as("case %d", i).isEqualTo(expected);
        }
    }

    @Test
    void refusesDamagedPlainEncodingsWithoutThrowing() {
        Random random = new Random(18);
        int refused = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] encoded = plainLibraryEncoding(random(random));
            byte[] damaged = i % 2 == 0 ? Arrays.copyOf(encoded, 4 + random.nextInt(encoded.length - 4)) : encoded.clone();
            if (i % 2 == 1) damaged[4 + random.nextInt(damaged.length - 4)] ^= (byte) (1 + random.nextInt(255));
            boolean valid = Latency.checked(damaged) != null;
            if (!valid) refused++;
            assertThat(Latency.addTo(Latency.empty(), damaged)).isEqualTo(valid);
        }
        assertThat(refused).isGreaterThan(1000);
        // A plain encoding from the wire has the wire's limit, not the larger one of what an inflated encoding may take.
        byte[] large = new byte[Latency.MAX_ENCODED_BYTES + 1];
        ByteBuffer.wrap(large).putInt(0x1c849303 | 0x10);
        assertThat(Latency.checked(large)).isNull();
    }

    @Test
    void aSumRefusesWhatAHistogramRefusesAndAddsWhatItAdds() {
        // A sum reads the proxies' layout by index, without the per-value checks a histogram's read makes on the way.
        Random random = new Random(19);
        int refused = 0;
        for (int i = 0; i < 3000; i++) {
            Histogram source = Latency.empty();
            for (int v = 0; v < 1 + random.nextInt(100); v++) source.recordValueWithCount(1 + random.nextInt(5_000_000), 1 + random.nextInt(9));
            byte[] damaged = Latency.encode(source);
            switch (i % 3) {
                case 0 -> damaged = Arrays.copyOf(damaged, 40 + random.nextInt(damaged.length - 40));
                case 1 -> damaged[40 + random.nextInt(damaged.length - 40)] ^= (byte) (1 + random.nextInt(255));
                default -> {
                    // A run of zeros that pushes the next count far up, or past the highest value a long holds.
                    byte[] run = zigZag(-(1L << (10 + random.nextInt(20))), 1 + random.nextInt(3));
                    damaged = Arrays.copyOf(damaged, damaged.length + run.length);
                    System.arraycopy(run, 0, damaged, damaged.length - run.length, run.length);
                    ByteBuffer.wrap(damaged).putInt(4, damaged.length - 40);
                }
            }
            Histogram histogram = Latency.empty();
            boolean valid = Latency.addTo(histogram, damaged);
            if (!valid) refused++;
            Latency.Sum sum = new Latency.Sum();
            assertThat(Latency.addTo(sum, damaged)).as("case %d", i).isEqualTo(valid);
            if (valid) assertThat(sum.histogram()).as("case %d", i).isEqualTo(histogram);
        }
        assertThat(refused).isBetween(1000, 2900);
    }

    @Test
    void refusesDamagedEncodingsWithoutThrowing() {
        Random random = new Random(16);
        int refused = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] encoded = libraryEncoding(random(random));
            byte[] damaged = switch (i % 3) {
                case 0 -> Arrays.copyOf(encoded, random.nextInt(encoded.length));
                case 1 -> {
                    byte[] copy = encoded.clone();
                    copy[random.nextInt(copy.length)] ^= (byte) (1 + random.nextInt(255));
                    yield copy;
                }
                default -> {
                    byte[] copy = new byte[encoded.length];
                    random.nextBytes(copy);
                    yield copy;
                }
            };
            boolean valid = Latency.checked(damaged) != null;
            if (!valid) refused++;
            Histogram target = Latency.empty();
            // Whatever it answers, it never throws, and an encoding it accepts is one it can add.
            assertThat(Latency.addTo(target, damaged)).isEqualTo(valid);
        }
        assertThat(refused).isGreaterThan(1500);
        assertThat(Latency.checked(null)).isNull();
        assertThat(Latency.checked(new byte[0])).isNull();
        assertThat(Latency.checked(new byte[Latency.MAX_ENCODED_BYTES + 1])).isNull();
    }

    @Test
    void refusesNegativeCountsAndValuesOutOfRange() {
        // A hand-made V2 encoding: header, then one ZigZag word; a negative word is a run of zeros, so
        // counts cannot be negative, but a huge run pushes a value past the encoded range.
        assertThat(Latency.checked(compressed(1, 1000, new byte[]{2}))).isNotNull(); // one value 0 of count 1
        assertThat(Latency.checked(compressed(1, 1000, zigZag(-(1L << 40), 2)))).isNull();
        assertThat(Latency.checked(compressed(0, 1000, new byte[]{2}))).isNull(); // lowest discernible value 0
        byte[] truncated = {(byte) 0x80};
        assertThat(Latency.checked(compressed(1, 1000, truncated))).isNull();
    }

    private static byte[] zigZag(long first, long second) {
        ByteBuffer out = ByteBuffer.allocate(20);
        for (long v : new long[]{first, second}) {
            long value = (v << 1) ^ (v >> 63);
            for (int i = 0; i < 9; i++) {
                if (i == 8) {
                    out.put((byte) (value >>> 56));
                    break;
                }
                long rest = value >>> 7;
                out.put((byte) ((value & 0x7f) | (rest != 0 ? 0x80 : 0)));
                value = rest;
                if (value == 0) break;
            }
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    private static byte[] compressed(long lowest, long highest, byte[] payload) {
        ByteBuffer plain = ByteBuffer.allocate(40 + payload.length);
        plain.putInt(0x1c849303 | 0x10).putInt(payload.length).putInt(0).putInt(2).putLong(lowest).putLong(highest).putDouble(1.0)
                .put(payload);
        java.util.zip.Deflater deflater = new java.util.zip.Deflater();
        deflater.setInput(plain.array());
        deflater.finish();
        byte[] out = new byte[1024];
        int n = deflater.deflate(out, 8, out.length - 8);
        deflater.end();
        ByteBuffer.wrap(out).putInt(0x1c849304 | 0x10).putInt(n);
        return Arrays.copyOf(out, 8 + n);
    }
}
