package dev.trellis.compiler.snapshot;

import java.util.Locale;
import java.util.Set;

/**
 * What a header rewrite may contain so that it cannot break the wire: names are RFC 9110 tokens,
 * values are field values (no CR, LF or NUL, no other control character but tab, no leading or
 * trailing whitespace), and neither hop-by-hop nor framing headers may be set or removed, since the
 * proxy owns those ({@code content-length} and {@code transfer-encoding} together would smuggle a
 * request). A {@code prefixRewrite} is an RFC 3986 path-absolute without dot segments. Applied by
 * the API's validation and again by the proxy ({@link Snapshot#ensureConsistent()}).
 */
public final class HeaderSyntax {
    /** Headers that a rewrite may neither set nor remove, in lower case. */
    public static final Set<String> RESERVED = Set.of("content-length", "transfer-encoding", "host", "connection",
            "upgrade", "te", "trailer", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
            "expect", "http2-settings");
    /** The longest header value a rewrite may set, in characters. */
    public static final int MAX_VALUE_LENGTH = 4096;

    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";
    private static final String PCHAR_SYMBOLS = "-._~!$&'()*+,;=:@%";

    private HeaderSyntax() {
    }

    /** Why {@code name} is not a header name a rewrite may touch, or null. */
    public static String rewriteNameProblem(String name) {
        String token = tokenProblem(name);
        if (token != null) return token;
        if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
            return "is a hop-by-hop or framing header, which the proxy manages and a rewrite may not change";
        }
        return null;
    }

    /** Why {@code name} is not an RFC 9110 token, or null. */
    public static String tokenProblem(String name) {
        if (name.isEmpty()) return "must not be empty";
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean tchar = c < 128 && (Character.isLetterOrDigit(c) || TCHAR_SYMBOLS.indexOf(c) >= 0);
            if (!tchar) return "must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~), not contain " + describe(c);
        }
        return null;
    }

    /** Why {@code value} is not an RFC 9110 field value, or null. */
    public static String valueProblem(String value) {
        if (value.length() > MAX_VALUE_LENGTH) return "must be at most " + MAX_VALUE_LENGTH + " characters";
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) return "must not contain " + describe(c);
            if (c > 0xff) return "must be ISO-8859-1 text (visible ASCII, space, tab), not contain " + describe(c);
        }
        if (!value.isEmpty() && (isBlank(value.charAt(0)) || isBlank(value.charAt(value.length() - 1)))) {
            return "must not start or end with whitespace";
        }
        return null;
    }

    /** Why {@code path} is not a path-absolute a prefix may be rewritten to, or null. */
    public static String pathAbsoluteProblem(String path) {
        if (!path.startsWith("/")) return "must be an absolute path starting with /";
        if (path.startsWith("//")) return "must not start with // (that would name a host)";
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            boolean pchar = c == '/' || (c < 128 && (Character.isLetterOrDigit(c) || PCHAR_SYMBOLS.indexOf(c) >= 0));
            if (!pchar) return "must be an RFC 3986 path (no query, fragment, space or control character), not contain " + describe(c);
            if (c == '%' && (i + 2 >= path.length() || !isHex(path.charAt(i + 1)) || !isHex(path.charAt(i + 2)))) {
                return "must follow each % with two hexadecimal digits";
            }
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) return "must not contain . or .. segments";
        }
        return null;
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0 && c < 128;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static String describe(char c) {
        return c < 0x20 || c == 0x7f || Character.isWhitespace(c) || c > 0x7e
                ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }
}
