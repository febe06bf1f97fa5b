package dev.trellis.proxy.upstream;

/** Headers that describe one connection, not the message, and so are never forwarded (RFC 9110 §7.6.1). */
final class HopByHop {
    private static final String[] NAMES = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
            "trailer", "upgrade", "proxy-authenticate", "proxy-authorization", "content-length"};

    private HopByHop() {
    }

    static boolean is(CharSequence name) {
        for (String hop : NAMES) {
            if (hop.length() == name.length() && hop.contentEquals(name.toString().toLowerCase(java.util.Locale.ROOT))) return true;
        }
        return false;
    }
}
