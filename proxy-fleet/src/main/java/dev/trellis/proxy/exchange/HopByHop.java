package dev.trellis.proxy.exchange;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/** Headers that describe one connection, not the message, and so are never forwarded (RFC 9110 §7.6.1). */
public final class HopByHop {
    private static final AsciiString[] NAMES = {HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
            HttpHeaderNames.UPGRADE, HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION,
            HttpHeaderNames.CONTENT_LENGTH};

    private HopByHop() {
    }

    public static boolean is(CharSequence name) {
        for (AsciiString hop : NAMES) {
            if (hop.contentEqualsIgnoreCase(name)) return true;
        }
        return false;
    }

    public static void removeFrom(HttpHeaders headers) {
        for (AsciiString hop : NAMES) headers.remove(hop);
    }
}
