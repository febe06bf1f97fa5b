package dev.trellis.proxy.policy;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

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
    private static final Pattern VALID = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
    private static final String ZERO_TRACE = "0".repeat(32);

    @Override
    public void apply(ProxyExchange exchange) {
        exchange.headers().set(HEADER, next(exchange.headers().get(HEADER)));
        exchange.proceed();
    }

    static String next(String incoming) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String span = HexFormat.of().toHexDigits(random.nextLong() | 1L);
        if (incoming != null) {
            var m = VALID.matcher(incoming.trim());
            if (m.matches() && !m.group(1).equals(ZERO_TRACE)) return "00-" + m.group(1) + "-" + span + "-" + m.group(3);
        }
        String trace = HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextLong() | 1L);
        return "00-" + trace + "-" + span + "-01";
    }
}
