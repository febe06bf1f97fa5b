package dev.trellis.compiler.document;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as the API writes them: a whole number and a unit, {@code "250ms"}, {@code "2s"}, {@code "10m"}, {@code "1h"}. */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private Durations() {
    }

    /** Milliseconds, or -1 when the text is not a duration. */
    public static long parseMillis(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) return -1;
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> n;
            case "s" -> n * 1_000;
            case "m" -> n * 60_000;
            default -> n * 3_600_000;
        };
    }

    /** The shortest text for a number of milliseconds, for messages. */
    public static String format(long ms) {
        if (ms % 3_600_000 == 0 && ms > 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0 && ms > 0) return ms / 60_000 + "m";
        if (ms % 1_000 == 0 && ms > 0) return ms / 1_000 + "s";
        return ms + "ms";
    }
}
