package dev.trellis.compiler.snapshot;

import java.util.Locale;
import java.util.Set;

/**
 * The address of an endpoint in a snapshot: an IPv4 literal (dotted quad), an IPv6 literal
 * (without brackets or zone) or a DNS host name (RFC 1123 labels, the last one not all digits).
 * Nothing else, so no address can carry a CR/LF, a scheme or a path into a caller's request. An
 * address that reaches a host's own link — 169.254.0.0/16 and fe80::/10, where cloud metadata
 * services answer — and the metadata services' names are refused: a snapshot goes to proxies on
 * many hosts, and a link-local address means a different machine on each of them. Unspecified
 * ({@code 0.0.0.0}, {@code ::}), multicast and broadcast addresses are refused too. Parsing never
 * resolves a name.
 */
public final class EndpointAddress {
    /** Names of cloud instance metadata services (GCP, AWS), refused like their link-local addresses. */
    public static final Set<String> METADATA_NAMES = Set.of("metadata", "metadata.google.internal", "metadata.goog",
            "instance-data", "instance-data.ec2.internal");

    /** What kind of address a valid one is. */
    public enum Kind { IPV4, IPV6, HOST_NAME }

    private final String address;
    private final Kind kind;
    private final byte[] ip;

    private EndpointAddress(String address, Kind kind, byte[] ip) {
        this.address = address;
        this.kind = kind;
        this.ip = ip;
    }

    public Kind kind() {
        return kind;
    }

    /** Whether it is a loopback address ({@code 127.0.0.0/8}, {@code ::1}) or {@code localhost}. */
    public boolean isLoopback() {
        if (kind == Kind.HOST_NAME) return address.equalsIgnoreCase("localhost") || address.toLowerCase(Locale.ROOT).endsWith(".localhost");
        byte[] v4 = ipv4();
        if (v4 != null) return v4[0] == 127;
        for (int i = 0; i < 15; i++) if (ip[i] != 0) return false;
        return ip[15] == 1;
    }

    /**
     * Whether it is an address of a private network: RFC 1918 (10/8, 172.16/12, 192.168/16),
     * shared address space (100.64/10) or an IPv6 unique local address (fc00::/7).
     */
    public boolean isPrivate() {
        byte[] v4 = ipv4();
        if (v4 != null) {
            int a = v4[0] & 0xff;
            int b = v4[1] & 0xff;
            return a == 10 || (a == 172 && b >= 16 && b < 32) || (a == 192 && b == 168) || (a == 100 && b >= 64 && b < 128);
        }
        return kind == Kind.IPV6 && (ip[0] & 0xfe) == 0xfc;
    }

    /** Whether {@code other} is the same IP address (so {@code ::ffff:10.0.0.1} equals {@code 10.0.0.1}). */
    public boolean sameIp(EndpointAddress other) {
        if (kind == Kind.HOST_NAME || other.kind == Kind.HOST_NAME) return false;
        byte[] mine = ipv4();
        byte[] theirs = other.ipv4();
        if (mine != null || theirs != null) return mine != null && theirs != null && java.util.Arrays.equals(mine, theirs);
        return java.util.Arrays.equals(ip, other.ip);
    }

    /**
     * Parses an address.
     *
     * @throws IllegalArgumentException naming the {@link #problem(String) problem}
     */
    public static EndpointAddress parse(String address) {
        EndpointAddress parsed = read(address);
        String problem = parsed == null ? syntaxProblem() : parsed.refusal();
        if (problem != null) throw new IllegalArgumentException("address " + printable(address) + " " + problem);
        return parsed;
    }

    /** Why {@code address} may not be an endpoint's address, or null. */
    public static String problem(String address) {
        EndpointAddress parsed = read(address);
        return parsed == null ? syntaxProblem() : parsed.refusal();
    }

    private static String syntaxProblem() {
        return "must be an IPv4 or IPv6 address or a DNS host name";
    }

    private String refusal() {
        if (kind == Kind.HOST_NAME) {
            String name = address.toLowerCase(Locale.ROOT);
            if (name.endsWith(".")) name = name.substring(0, name.length() - 1);
            return METADATA_NAMES.contains(name) ? "names a cloud metadata service, which no endpoint may be" : null;
        }
        byte[] v4 = ipv4();
        if (v4 != null) {
            int a = v4[0] & 0xff;
            int b = v4[1] & 0xff;
            if (a == 169 && b == 254) return "is link-local (169.254.0.0/16, where cloud metadata services answer)";
            if (a == 0) return "is unspecified (0.0.0.0/8)";
            if (a >= 224) return "is multicast, reserved or broadcast";
            return null;
        }
        if ((ip[0] & 0xff) == 0xfe && (ip[1] & 0xc0) == 0x80) return "is link-local (fe80::/10)";
        if ((ip[0] & 0xff) == 0xff) return "is multicast";
        boolean zero = true;
        for (byte x : ip) zero &= x == 0;
        return zero ? "is unspecified (::)" : null;
    }

    /** The IPv4 address, also when written as an IPv4-mapped IPv6 address; null for other IPv6 ones. */
    private byte[] ipv4() {
        if (kind == Kind.IPV4) return ip;
        if (kind != Kind.IPV6) return null;
        for (int i = 0; i < 10; i++) if (ip[i] != 0) return null;
        if (ip[10] != (byte) 0xff || ip[11] != (byte) 0xff) return null;
        return java.util.Arrays.copyOfRange(ip, 12, 16);
    }

    private static EndpointAddress read(String address) {
        if (address == null || address.isEmpty() || address.length() > 253) return null;
        byte[] v4 = ipv4(address);
        if (v4 != null) return new EndpointAddress(address, Kind.IPV4, v4);
        if (address.indexOf(':') >= 0) {
            byte[] v6 = ipv6(address);
            return v6 == null ? null : new EndpointAddress(address, Kind.IPV6, v6);
        }
        return hostName(address) ? new EndpointAddress(address, Kind.HOST_NAME, null) : null;
    }

    /** A dotted quad of decimal numbers 0–255 without leading zeros (which some resolvers read as octal). */
    private static byte[] ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) return null;
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) return null;
            for (int j = 0; j < p.length(); j++) if (p.charAt(j) < '0' || p.charAt(j) > '9') return null;
            int v = Integer.parseInt(p);
            if (v > 255) return null;
            out[i] = (byte) v;
        }
        return out;
    }

    /** RFC 4291 text form: eight groups of 1–4 hex digits, one {@code ::}, an optional dotted quad at the end. */
    private static byte[] ipv6(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) return null;
        String head = gap >= 0 ? s.substring(0, gap) : s;
        String tail = gap >= 0 ? s.substring(gap + 2) : "";
        int[] headGroups = groups(head, gap < 0);
        int[] tailGroups = gap >= 0 ? groups(tail, true) : new int[0];
        if (headGroups == null || tailGroups == null) return null;
        int count = headGroups.length + tailGroups.length;
        if (gap < 0 ? count != 8 : count > 7) return null;
        byte[] out = new byte[16];
        for (int i = 0; i < headGroups.length; i++) put(out, i, headGroups[i]);
        for (int i = 0; i < tailGroups.length; i++) put(out, 8 - tailGroups.length + i, tailGroups[i]);
        return out;
    }

    /** The 16-bit groups of one side of {@code ::}; a dotted quad is allowed last when {@code last}. */
    private static int[] groups(String side, boolean last) {
        if (side.isEmpty()) return new int[0];
        String[] parts = side.split(":", -1);
        int dotted = last && parts[parts.length - 1].indexOf('.') >= 0 ? 1 : 0;
        int[] out = new int[parts.length + dotted];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (dotted == 1 && i == parts.length - 1) {
                byte[] v4 = ipv4(p);
                if (v4 == null) return null;
                out[i] = (v4[0] & 0xff) << 8 | (v4[1] & 0xff);
                out[i + 1] = (v4[2] & 0xff) << 8 | (v4[3] & 0xff);
                continue;
            }
            if (p.isEmpty() || p.length() > 4) return null;
            int v = 0;
            for (int j = 0; j < p.length(); j++) {
                int d = p.charAt(j) < 128 ? Character.digit(p.charAt(j), 16) : -1;
                if (d < 0) return null;
                v = v << 4 | d;
            }
            out[i] = v;
        }
        return out;
    }

    private static void put(byte[] out, int group, int value) {
        out[2 * group] = (byte) (value >> 8);
        out[2 * group + 1] = (byte) value;
    }

    /** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, 1–63 each; the last not all digits. */
    private static boolean hostName(String s) {
        String name = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        if (name.isEmpty()) return false;
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) return false;
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '-'))) return false;
            }
        }
        return !labels[labels.length - 1].chars().allMatch(Character::isDigit);
    }

    /** The address with control characters escaped, for a message. */
    private static String printable(String s) {
        return s == null ? "null" : s.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
    }

    @Override
    public String toString() {
        return address;
    }
}
