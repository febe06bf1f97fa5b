package dev.trellis.proxy.policy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

import dev.trellis.proxy.exchange.ProxyExchange;
import dev.trellis.proxy.exchange.RequestPolicy;
import io.netty.util.AsciiString;

/**
 * W3C Trace Context: a valid {@code traceparent} keeps its trace id and flags and gets this hop's
 * span as parent id; a missing or malformed one is replaced by a new sampled trace.
 */
final class TraceparentFilter implements RequestPolicy {
    // An AsciiString name is hashed and validated once, not on every request.
    static final AsciiString HEADER = AsciiString.cached("traceparent");
    /** "00-" + 32 hex trace id + "-" + 16 hex parent id + "-" + 2 hex flags. */
    private static final int LENGTH = 55;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @Override
    public void apply(ProxyExchange exchange) {
        exchange.headers().set(HEADER, next(exchange.headers().get(HEADER)));
        exchange.proceed();
    }

    /**
     * The traceparent to send on: the incoming trace id and flags with a new span id, or a new
     * sampled trace. Written byte by byte: this runs on every request.
     */
    static String next(String incoming) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] out = new byte[LENGTH];
        String valid = incoming == null ? null : incoming.trim();
        if (valid != null && isValid(valid)) {
            for (int i = 0; i < LENGTH; i++) out[i] = (byte) valid.charAt(i);
        } else {
            out[0] = '0';
            out[1] = '0';
            out[2] = '-';
            hex(out, 3, random.nextLong());
            hex(out, 19, random.nextLong() | 1L);
            out[35] = '-';
            out[52] = '-';
            out[53] = '0';
            out[54] = '1';
        }
        hex(out, 36, random.nextLong() | 1L);
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /** Version 00, lower-case hex fields of the right lengths, and a trace id that is not all zeros. */
    private static boolean isValid(String header) {
        if (header.length() != LENGTH || !header.startsWith("00-") || header.charAt(35) != '-' || header.charAt(52) != '-') {
            return false;
        }
        boolean zeroTrace = true;
        for (int i = 3; i < LENGTH; i++) {
            if (i == 35 || i == 52) continue;
            char c = header.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) return false;
            if (i < 35 && c != '0') zeroTrace = false;
        }
        return !zeroTrace;
    }

    private static void hex(byte[] out, int at, long value) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX[(int) (value & 0xf)];
            value >>>= 4;
        }
    }
}
