package dev.trellis.compiler.snapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * The one normal form of a request path, which routing, access rules and the upstream all see, so
 * that no spelling of a path reaches the app as something a rule did not check. In order:
 * <ol>
 *   <li>percent-encodings of unreserved characters (RFC 3986 §2.3: {@code A-Z a-z 0-9 - . _ ~}) are
 *       decoded, every other encoding gets upper-case hex; a malformed encoding, an encoded or raw
 *       control character (including {@code %00}) is refused;</li>
 *   <li>characters a path may not carry raw (space, {@code "}, {@code <}, non-ASCII…) are encoded;</li>
 *   <li>runs of {@code /} become one;</li>
 *   <li>dot segments ({@code .} and {@code ..}, also when they were encoded) are removed as RFC 3986
 *       §5.2.4 says; {@code ..} above the root stays at the root.</li>
 * </ol>
 * An encoded slash or backslash ({@code %2F}, {@code %5C}) and a raw backslash are refused by default
 * ({@link EscapedSlashes#REJECT}): apps and frameworks disagree on whether they separate segments.
 * {@link EscapedSlashes#KEEP} keeps them encoded (a raw backslash becomes {@code %5C}) inside their
 * segment. Case is kept: paths are case-sensitive (RFC 3986 §6.2.2.1). A path already in normal form
 * is returned as it is, without copying.
 */
public final class RequestPath {
    private static final String HEX = "0123456789ABCDEF";

    private RequestPath() {
    }

    /** What a proxy does with an encoded slash or backslash in a path. */
    public enum EscapedSlashes {
        /** Answer 400 (the default). */
        REJECT,
        /** Forward it encoded; routing and access see it as part of its segment. */
        KEEP
    }

    /** A path no normal form exists for; the message says why, for the caller's 400. */
    public static final class Rejected extends Exception {
        Rejected(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * The normal form of {@code raw} (a request target's path, without its query), never empty.
     *
     * @throws Rejected when the path is malformed or carries what {@code escapedSlashes} refuses
     */
    public static String normalise(String raw, EscapedSlashes escapedSlashes) throws Rejected {
        if (raw.isEmpty()) return "/";
        if (raw.charAt(0) != '/') throw new Rejected("the path must start with /");
        if (isNormal(raw)) return raw;
        String normal = removeDotSegments(mergeSlashes(decode(raw, escapedSlashes)));
        return normal.equals(raw) ? raw : normal;
    }

    /**
     * Whether {@code path} is its own normal form; cheap, for the common case and for validating
     * paths written in policies.
     */
    public static boolean isNormal(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') return false;
        int segmentStart = 1;
        for (int i = 1; i <= path.length(); i++) {
            char c = i < path.length() ? path.charAt(i) : '/';
            if (c == '/') {
                int length = i - segmentStart;
                if (i < path.length() && length == 0) return false; // "//"
                if (length == 1 && path.charAt(segmentStart) == '.') return false;
                if (length == 2 && path.charAt(segmentStart) == '.' && path.charAt(segmentStart + 1) == '.') return false;
                segmentStart = i + 1;
            } else if (c == '%') {
                return false; // rare in paths: the slow path checks the encoding
            } else if (!pathChar(c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The other paths an app may take a normal path for, in normal form, which access rules must
     * allow too: with {@code %2F}/{@code %5C} decoded into separators (when they are kept), and with
     * path parameters cut from every segment ({@code /public/..;/admin} is {@code /admin} to Tomcat
     * and Spring, {@code /admin;x} is {@code /admin}), and both. Empty for nearly every path.
     */
    public static List<String> otherReadings(String normal) {
        boolean slashes = normal.contains("%2F") || normal.contains("%5C");
        boolean parameters = normal.indexOf(';') >= 0;
        if (!slashes && !parameters) return List.of();
        List<String> readings = new ArrayList<>(3);
        if (slashes) readings.add(renormalise(decodeEscapedSlashes(normal)));
        if (parameters) readings.add(renormalise(withoutParameters(normal)));
        if (slashes && parameters) readings.add(renormalise(withoutParameters(decodeEscapedSlashes(normal))));
        return readings;
    }

    private static String decodeEscapedSlashes(String path) {
        return path.replace("%2F", "/").replace("%5C", "/");
    }

    private static String withoutParameters(String path) {
        StringBuilder out = new StringBuilder(path.length());
        boolean inParameters = false;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '/') inParameters = false;
            else if (c == ';') inParameters = true;
            if (!inParameters) out.append(c);
        }
        return out.toString();
    }

    /** A reading of a normal path (still well-formed: only separators were put back or parameters cut). */
    private static String renormalise(String reading) {
        try {
            return normalise(reading, EscapedSlashes.KEEP);
        } catch (Rejected cannotHappen) {
            return reading;
        }
    }

    private static String decode(String raw, EscapedSlashes escapedSlashes) throws Rejected {
        StringBuilder out = new StringBuilder(raw.length() + 8);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int value = i + 2 < raw.length() ? hex(raw.charAt(i + 1), raw.charAt(i + 2)) : -1;
                if (value < 0) throw new Rejected("malformed percent-encoding in the path");
                i += 2;
                if (unreserved((char) value)) {
                    out.append((char) value);
                } else if (value < 0x20 || value == 0x7f) {
                    throw new Rejected("encoded control character in the path");
                } else if ((value == '/' || value == '\\') && escapedSlashes == EscapedSlashes.REJECT) {
                    throw new Rejected("encoded slash or backslash in the path");
                } else {
                    encode(out, value);
                }
            } else if (c < 0x20 || c == 0x7f) {
                throw new Rejected("control character in the path");
            } else if (c == '\\') {
                if (escapedSlashes == EscapedSlashes.REJECT) throw new Rejected("backslash in the path");
                encode(out, c);
            } else if (pathChar(c)) {
                out.append(c);
            } else if (c < 0x100) {
                encode(out, c);
            } else {
                for (byte b : String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8)) encode(out, b & 0xff);
            }
        }
        return out.toString();
    }

    private static String mergeSlashes(String path) {
        if (!path.contains("//")) return path;
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '/' || out.isEmpty() || out.charAt(out.length() - 1) != '/') out.append(c);
        }
        return out.toString();
    }

    /** RFC 3986 §5.2.4 on a path that starts with / and has no empty segments. */
    private static String removeDotSegments(String path) {
        String[] segments = path.substring(1).split("/", -1);
        String[] kept = new String[segments.length];
        int depth = 0;
        boolean trailingSlash = false;
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.equals(".")) {
                trailingSlash = last;
            } else if (segment.equals("..")) {
                if (depth > 0) depth--;
                trailingSlash = last;
            } else {
                kept[depth++] = segment;
                trailingSlash = false;
            }
        }
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < depth; i++) out.append('/').append(kept[i]);
        if (trailingSlash || out.isEmpty()) out.append('/');
        return out.toString();
    }

    private static int hex(char high, char low) {
        int h = Character.digit(high, 16);
        int l = Character.digit(low, 16);
        return h < 0 || l < 0 ? -1 : h * 16 + l;
    }

    private static void encode(StringBuilder out, int value) {
        out.append('%').append(HEX.charAt(value >> 4)).append(HEX.charAt(value & 0xf));
    }

    private static boolean unreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
                || c == '~';
    }

    /** RFC 3986 pchar without pct-encoded, plus the separator. */
    private static boolean pathChar(char c) {
        if (unreserved(c)) return true;
        return switch (c) {
            case '/', ':', '@', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=' -> true;
            default -> false;
        };
    }
}
