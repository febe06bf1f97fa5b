package dev.trellis.controlplane;

import java.util.ArrayList;
import java.util.List;

/**
 * A corpus of strings that break naive software, generated here rather than copied: the kinds of
 * strings the Big List of Naughty Strings collects (control characters, NUL, unpaired surrogates,
 * invisible and direction-changing characters, combining marks, other scripts, emoji, injection
 * payloads for SQL, templates, shells and paths, numbers in disguise, lengths around the limits).
 */
final class NaughtyStrings {
    private NaughtyStrings() {
    }

    static List<String> all() {
        List<String> strings = new ArrayList<>(List.of(
                "", " ", "\t", "\n", "\r\n", "\u0000", "a\u0000b", "\u0001\u0002\u001f", "\u007f", "\u0085", "\u00a0",
                "\u200b", "\u200e\u200f", "\u202eevil", "\ufeffbom", "\uffff", "\ufffd", "\ud800", "\udfff", "x\ud83dy",
                "\ud83d\ude00", "\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67", "\u03a9\u2248\u00e7\u221a\u222b",
                "\u7530\u4e2d\u3055\u3093", "\u062b\u0645 \u0646\u0641\u0633", "\u05d1\u05bc\u05b0\u05e8\u05b5\u05d0",
                "z\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309\u030a\u030b\u030c",
                "\u0130", "\u00df", "\ufb01", "\u216b", "\uff21\uff22\uff23", "\uff11\uff12\uff13", "\u0661\u0662\u0663",
                "\u2028", "\u2029",
                "' OR 1=1 --", "\"; DROP TABLE tenants; --", "'; SELECT pg_sleep(5); --", "%00", "%s%s%s%n", "{{7*7}}",
                "${jndi:ldap://127.0.0.1/a}", "#{1+1}", "$(id)", "`id`", "<script>alert(1)</script>",
                "../../../../etc/passwd", "\\\\server\\share", "C:\\Windows", "null", "NULL", "undefined", "true",
                "0", "-1", "1e309", "NaN", "Infinity", "0x0", "/", "//", "/a/../b", "*", "?", "#", "&", "=", "+", ";",
                ",", ":", "@", "\\", "\"", "'", "a b", " leading", "trailing ", "UPPER", "-dash", "http://", "10.0.0.1",
                "::1", "256.256.256.256", "[::1]", "localhost", "v1", "5xx", "GET", "STRICT", "ACCESS", "10s", "-5s",
                "99999999999999999999h", "1ms"));
        strings.add("a".repeat(63));
        strings.add("a".repeat(64));
        strings.add("a".repeat(300));
        strings.add("\u00e9".repeat(2000));
        strings.add("\ud83d\ude00".repeat(1000));
        strings.add("x".repeat(70_000));
        return List.copyOf(strings);
    }
}
