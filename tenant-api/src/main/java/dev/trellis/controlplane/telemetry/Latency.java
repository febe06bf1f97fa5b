package dev.trellis.controlplane.telemetry;

import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Latency as the proxies send it: an HdrHistogram of microseconds in its V2 encoding, plain (as the proxies
 * send it and ingestion keeps it once checked) or compressed (as proxies before 2026-12-04 sent it).
 * Histograms merge by adding counts, in any order with the same result, which is what makes minute
 * buckets, hour roll-ups and query windows exact merges of what the proxies measured.
 *
 * <p>Ingestion reads every row of every report, so the hot paths do not build a histogram per
 * encoding: {@link #checked} checks an encoding by reading its counts without allocating one and
 * answers it plain (inflated once, there: the fold that adds it later reads its counts straight away),
 * {@link #addTo} adds an encoding's counts straight into a histogram (what {@code Histogram.add}
 * of the decoded one would do, value by value), and {@link #encode} writes the plain encoding buckets are
 * stored in, reusing its buffer. Inflaters and buffers come from a small pool (requests run on virtual
 * threads, so a thread-local one would be made per request). The plain V2 encoding is a 40-byte header, then the counts as
 * ZigZag LEB128 words, a negative word being a run of zeros; the compressed one is an 8-byte header
 * (cookie, compressed length), then the plain one deflated. An encoding this reader does not handle
 * (a shifted histogram, an older version) goes through HdrHistogram's own decoder.
 */
final class Latency {
    /** Two significant digits, as the proxy records; adding a histogram of more digits still works. */
    static final int DIGITS = 2;
    /** Largest encoded histogram accepted from a proxy. */
    static final int MAX_ENCODED_BYTES = 64 * 1024;
    /** Largest inflated encoding accepted (two digits over the whole range of a long take about 64 KB). */
    static final int MAX_INFLATED_BYTES = 1024 * 1024;

    private static final int COMPRESSED_COOKIE = 0x1c849304 | 0x10;
    private static final int COOKIE = 0x1c849303 | 0x10;
    private static final int HEADER_BYTES = 40;

    private Latency() {
    }

    static Histogram empty() {
        Histogram histogram = new Histogram(DIGITS);
        histogram.setAutoResize(true);
        return histogram;
    }

    /**
     * Adds the encoded histogram's counts to {@code target} in one pass; false when it is not a valid
     * encoding, in which case part of it may have been added: give it encodings checked with
     * {@link #checked} when they came in, or made by {@link #encode}.
     */
    static boolean addTo(Histogram target, byte[] encoded) {
        return read(encoded, target);
    }

    /**
     * Adds the encoded histogram's counts to {@code sum}; false when it is not a valid encoding (part of
     * it may have been added, as with {@link #addTo}).
     */
    static boolean addTo(Sum sum, byte[] encoded) {
        return read(encoded, sum);
    }

    /** The decoded histogram (a new one), for callers that keep it. */
    static Optional<Histogram> decode(byte[] encoded) {
        Histogram decoded = empty();
        return addTo(decoded, encoded) ? Optional.of(decoded) : Optional.empty();
    }

    static Histogram decodeStored(byte[] encoded) {
        return decode(encoded).orElseGet(Latency::empty);
    }

    /**
     * Checks a histogram as a proxy sent it and answers it as ingestion keeps it: HdrHistogram's plain V2
     * encoding (the V2 compressed encoding is inflated here, once, so a fold adds its counts without
     * inflating it again), or the encoding itself when it is already plain or of a form only
     * HdrHistogram's decoder reads; null when it is not a valid encoding of at most
     * {@link #MAX_ENCODED_BYTES}.
     */
    static byte[] checked(byte[] encoded) {
        if (encoded == null || encoded.length < 8 || encoded.length > MAX_ENCODED_BYTES) return null;
        if (ByteBuffer.wrap(encoded).getInt() != COMPRESSED_COOKIE) return read(encoded, null) ? encoded : null;
        Codec codec = Codec.take();
        try {
            int length = inflate(codec, encoded);
            if (length < 0) return null;
            if (length < HEADER_BYTES || ByteBuffer.wrap(codec.buffer).getInt() != COOKIE) return library(encoded, null) ? encoded : null;
            byte[] plain = Arrays.copyOf(codec.buffer, length);
            return counts(ByteBuffer.wrap(plain), plain, null) ? plain : null;
        } finally {
            codec.give();
        }
    }

    /** Reads {@code encoded}; with a target (a {@link Histogram} or a {@link Sum}), adds its counts to it as it goes. */
    private static boolean read(byte[] encoded, Object target) {
        if (encoded == null || encoded.length < 8) return false;
        int cookie = ByteBuffer.wrap(encoded).getInt();
        // A plain encoding was inflated from one of at most MAX_ENCODED_BYTES (or made by encode): it may be larger.
        if (cookie == COOKIE) return encoded.length <= MAX_INFLATED_BYTES && counts(ByteBuffer.wrap(encoded), encoded, target);
        if (encoded.length > MAX_ENCODED_BYTES) return false;
        if (cookie != COMPRESSED_COOKIE) return library(encoded, target);
        Codec codec = Codec.take();
        try {
            int length = inflate(codec, encoded);
            return length >= 0 && counts(ByteBuffer.wrap(codec.buffer, 0, length), encoded, target);
        } finally {
            codec.give();
        }
    }

    /** Inflates a V2 compressed encoding into {@code codec.buffer}: its length, or -1 when it is not one. */
    private static int inflate(Codec codec, byte[] encoded) {
        int compressed = ByteBuffer.wrap(encoded).getInt(4);
        if (compressed <= 0 || compressed > encoded.length - 8) return -1;
        Inflater inflater = codec.inflater;
        inflater.reset();
        inflater.setInput(encoded, 8, compressed);
        byte[] out = codec.buffer;
        int length = 0;
        try {
            while (!inflater.finished()) {
                if (length == out.length) {
                    if (out.length >= MAX_INFLATED_BYTES) return -1;
                    out = codec.buffer = Arrays.copyOf(out, Math.min(MAX_INFLATED_BYTES, out.length * 2));
                }
                int n = inflater.inflate(out, length, out.length - length);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) return -1;
                length += n;
            }
        } catch (DataFormatException e) {
            return -1;
        }
        return length;
    }

    private static boolean counts(ByteBuffer in, byte[] encoded, Object target) {
        if (in.remaining() < HEADER_BYTES || in.getInt() != COOKIE) return library(encoded, target);
        int payload = in.getInt();
        int normalizingOffset = in.getInt();
        int digits = in.getInt();
        long lowest = in.getLong();
        long highest = in.getLong();
        in.getDouble();
        if (normalizingOffset != 0) return library(encoded, target);
        // The encoded highest trackable value is not a bound: an auto-resized histogram's counts may cover more.
        if (payload < 0 || payload != in.remaining() || digits < 0 || digits > 5 || lowest < 1 || highest < 2 * lowest) {
            return false;
        }
        // The layout HdrHistogram derives from (digits, lowest): sub-buckets per bucket and the unit's magnitude.
        long largestSingleUnit = 2 * (long) Math.pow(10, digits);
        int subBucketCountMagnitude = 64 - Long.numberOfLeadingZeros(largestSingleUnit - 1);
        int halfMagnitude = Math.max(subBucketCountMagnitude, 1) - 1;
        int halfCount = 1 << halfMagnitude;
        int unitMagnitude = 63 - Long.numberOfLeadingZeros(lowest);
        // A sum takes the counts by their index when the encoding has its layout; any other goes to its histogram.
        Sum sum = target instanceof Sum s && digits == DIGITS && lowest == 1 ? s : null;
        Histogram histogram = sum != null ? null : target instanceof Sum s ? s.other() : (Histogram) target;
        // The first index whose value would pass 2^62 (the shift of its bucket past 62 - subBucketCountMagnitude).
        long indexLimit = unitMagnitude > 62 - subBucketCountMagnitude ? 0
                : (long) (64 - subBucketCountMagnitude - unitMagnitude) << halfMagnitude;
        long total = 0;
        long index = 0;
        while (in.hasRemaining()) {
            long word = zigZag(in);
            if (word == Long.MIN_VALUE) return false;
            if (word < 0) {
                if (word < -MAX_INFLATED_BYTES * 256L) return false;
                index += -word;
                continue;
            }
            if (word > 0) {
                if (index >= indexLimit) return false;
                total += word;
                if (total < 0) return false;
                // A value is worked out only for a histogram: a summary adds tens of thousands of buckets by index.
                if (sum != null) sum.add((int) index, word);
                else if (histogram != null) {
                    long bucket = (index >> halfMagnitude) - 1;
                    long subBucket = (index & (halfCount - 1)) + halfCount;
                    if (bucket < 0) {
                        subBucket -= halfCount;
                        bucket = 0;
                    }
                    histogram.recordValueWithCount(subBucket << (int) (bucket + unitMagnitude), word);
                }
            }
            index++;
        }
        return true;
    }

    /** One ZigZag LEB128 word as HdrHistogram writes it (at most 9 bytes, the ninth with 8 bits); MIN_VALUE when cut short. */
    private static long zigZag(ByteBuffer in) {
        long value = 0;
        for (int i = 0; i < 9; i++) {
            if (!in.hasRemaining()) return Long.MIN_VALUE;
            int b = in.get() & 0xff;
            if (i == 8) {
                value |= (long) b << 56;
                break;
            }
            value |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) break;
        }
        return (value >>> 1) ^ -(value & 1);
    }

    /** An encoding only HdrHistogram's decoder reads (it allocates a histogram of the encoded size). */
    private static boolean library(byte[] encoded, Object target) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(encoded);
            Histogram decoded = buffer.getInt(0) == COOKIE ? Histogram.decodeFromByteBuffer(buffer, 0)
                    : Histogram.decodeFromCompressedByteBuffer(buffer, 0);
            if (target instanceof Sum sum) sum.other().add(decoded);
            else if (target != null) ((Histogram) target).add(decoded);
            return true;
        } catch (DataFormatException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The encoding buckets are stored in: HdrHistogram's plain V2 encoding. Its counts are already LEB128
     * words with runs of zeros folded, so deflating them saves little (a 204-byte minute bucket of the
     * ingest bench deflates to 152) and costs an inflate every time a query or fold reads the bucket:
     * two thirds of the CPU of reading one, and a quarter of a one-hour summary's. Buckets written
     * compressed before are read as they are.
     */
    static byte[] encode(Histogram histogram) {
        Codec codec = Codec.take();
        try {
            int needed = histogram.getNeededByteBufferCapacity();
            if (codec.plain.capacity() < needed) codec.plain = ByteBuffer.allocate(Math.max(needed, codec.plain.capacity() * 2));
            ByteBuffer plain = codec.plain.clear();
            int length = histogram.encodeIntoByteBuffer(plain);
            return Arrays.copyOf(plain.array(), length);
        } finally {
            codec.give();
        }
    }

    /** The latency at {@code percentile} (0–100) in milliseconds, or null with no requests. */
    static Double millis(Histogram histogram, double percentile) {
        if (histogram.getTotalCount() == 0) return null;
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    /**
     * Encodings added up before the sum is encoded once (a bucket's rows in a fold, a roll-up's minutes):
     * counts of the layout the proxies record ({@link #DIGITS} digits from 1 µs, the same index for the
     * same value in every such histogram) are added by index in a plain array. Adding them to a histogram
     * value by value, as before, raised its maximum (a compare-and-set) for nearly every value and grew its
     * counts array once per power of two, 29% of the bytes a fold allocated. Counts of any other layout go
     * to a histogram as before. {@link #histogram} is then made once, one value per index that has a count.
     */
    static final class Sum {
        private long[] byIndex = new long[0];
        /** One past the highest index with a count. */
        private int used;
        private Histogram other;
        private Histogram histogram;

        private void add(int index, long count) {
            if (index >= byIndex.length) byIndex = Arrays.copyOf(byIndex, Math.max(index + 1, Math.max(256, byIndex.length * 2)));
            byIndex[index] += count;
            if (index >= used) used = index + 1;
        }

        /** Adds {@code sum}'s counts (made before its {@link #histogram}, or after: it keeps them). */
        void add(Sum sum) {
            if (sum.used > byIndex.length) byIndex = Arrays.copyOf(byIndex, Math.max(sum.used, Math.max(256, byIndex.length * 2)));
            for (int index = 0; index < sum.used; index++) byIndex[index] += sum.byIndex[index];
            used = Math.max(used, sum.used);
            if (sum.other != null) other().add(sum.other);
        }

        private Histogram other() {
            if (other == null) other = empty();
            return other;
        }

        /** The sum as a histogram (the same one on every call: add nothing to the sum afterwards). */
        Histogram histogram() {
            if (histogram != null) return histogram;
            // Sized for the highest value at once; auto-resized for whatever is merged into it later.
            histogram = new Histogram(1, Math.max(2, used == 0 ? 2 : valueAt(used - 1)), DIGITS);
            histogram.setAutoResize(true);
            for (int index = 0; index < used; index++) {
                if (byIndex[index] != 0) histogram.recordValueWithCount(valueAt(index), byIndex[index]);
            }
            if (other != null) histogram.add(other);
            return histogram;
        }

        /** The lowest value counted at {@code index} of the {@link #DIGITS}-digit layout from 1 (what {@link #counts} computes). */
        private static long valueAt(int index) {
            int halfMagnitude = HALF_MAGNITUDE;
            int halfCount = 1 << halfMagnitude;
            long bucket = (index >> halfMagnitude) - 1;
            long subBucket = (index & (halfCount - 1)) + halfCount;
            if (bucket < 0) {
                subBucket -= halfCount;
                bucket = 0;
            }
            return subBucket << bucket;
        }

        private static final int HALF_MAGNITUDE =
                Math.max(64 - Long.numberOfLeadingZeros(2 * (long) Math.pow(10, DIGITS) - 1), 1) - 1;
    }

    /** An inflater and its buffers, lent to one caller at a time. */
    private static final class Codec {
        private static final ConcurrentLinkedQueue<Codec> POOL = new ConcurrentLinkedQueue<>();
        private static final int POOLED = 64;

        final Inflater inflater = new Inflater();
        byte[] buffer = new byte[16 * 1024];
        ByteBuffer plain = ByteBuffer.allocate(16 * 1024);

        static Codec take() {
            Codec codec = POOL.poll();
            return codec != null ? codec : new Codec();
        }

        void give() {
            if (buffer.length > 256 * 1024) buffer = new byte[16 * 1024];
            if (plain.capacity() > 256 * 1024) plain = ByteBuffer.allocate(16 * 1024);
            // A burst may make more than the pool keeps: those are released (their native memory with them).
            if (POOL.size() < POOLED) POOL.offer(this);
            else inflater.end();
        }
    }
}
