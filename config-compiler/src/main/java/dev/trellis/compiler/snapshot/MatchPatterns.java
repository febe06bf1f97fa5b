package dev.trellis.compiler.snapshot;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * The regular expressions of a {@link Match} ({@code pathRegex}, header and query {@code regex}):
 * RE2 syntax, matched by RE2/J in time linear in the input, so no pattern can hold a proxy's event
 * loop the way a backtracking engine can ({@code (a|aa)+$}). RE2 has no back-references and no
 * lookaround; both are refused. The same rules are applied by the API's validation, by
 * {@link Snapshot#ensureConsistent()} in the proxy, and by {@link CompiledMatch}.
 *
 * <p>Linear is not free: matching costs about the input's length times the size of the compiled
 * program, and RE2/J expands a counted repetition {@code x{n}} into n copies of x. Both the
 * pattern's length and its expanded size are bounded.
 */
public final class MatchPatterns {
    /** The longest pattern accepted, in characters. */
    public static final int MAX_LENGTH = 1024;
    /**
     * The largest expanded size accepted: every literal, class or {@code .} counts 1, each operator
     * 1, and a counted repetition multiplies what it repeats ({@code (ab){3,5}} counts 16). An
     * estimate of RE2's program size computed before compiling, since compiling
     * {@code ((a{1000}){1000}){1000}} would exhaust the heap.
     */
    public static final int MAX_PROGRAM_SIZE = 200;
    /** Where the size estimate stops counting, so nested repetitions cannot overflow it. */
    private static final long CAP = 1_000_000_000L;

    private MatchPatterns() {
    }

    /** Why the pattern is refused, or null when it is acceptable. */
    public static String problem(String regex) {
        if (regex.length() > MAX_LENGTH) return "must be at most " + MAX_LENGTH + " characters";
        long size = expandedSize(regex);
        if (size > MAX_PROGRAM_SIZE) {
            return "is too large once its repetitions are expanded (" + (size >= CAP ? "over " + CAP : size)
                    + ", at most " + MAX_PROGRAM_SIZE + ")";
        }
        try {
            Pattern.compile(regex);
            return null;
        } catch (PatternSyntaxException e) {
            return "is not a valid RE2 regular expression (no back-references or lookaround): " + e.getDescription()
                    + (e.getPattern().isEmpty() ? "" : " `" + e.getPattern() + "`");
        }
    }

    /**
     * The compiled pattern.
     *
     * @throws IllegalArgumentException naming the {@link #problem(String) problem} when it is refused
     */
    public static Pattern compile(String regex) {
        String problem = problem(regex);
        if (problem != null) throw new IllegalArgumentException("regex " + regex + " " + problem);
        return Pattern.compile(regex);
    }

    /**
     * The pattern's size with counted repetitions expanded; only an estimate, made without a full
     * parse (RE2/J's own parser is not public), so it errs on the large side.
     */
    static long expandedSize(String regex) {
        // One frame per open group: the size of what it holds so far, and of its last item.
        long[] total = new long[regex.length() + 2];
        long[] last = new long[regex.length() + 2];
        int depth = 0;
        int i = 0;
        int n = regex.length();
        while (i < n) {
            char c = regex.charAt(i);
            long atom = 1;
            switch (c) {
                case '\\' -> {
                    int end = escapeEnd(regex, i);
                    if (regex.startsWith("\\Q", i)) atom = Math.max(1, end - i - 4); // each quoted character
                    i = end;
                }
                case '[' -> i = classEnd(regex, i);
                case '(' -> {
                    int j = i + 1;
                    if (j < n && regex.charAt(j) == '?') {
                        while (j < n && ":)>".indexOf(regex.charAt(j)) < 0) j++;
                        if (j < n && regex.charAt(j) == ')') {
                            i = j + 1; // flags only, such as (?i)
                            continue;
                        }
                        j++; // past the ':' of (?i:…) or the '>' of (?P<name>…)
                    }
                    depth++;
                    total[depth] = 0;
                    last[depth] = 0;
                    i = j;
                    continue;
                }
                case ')' -> {
                    atom = depth > 0 ? Math.min(CAP, total[depth] + 1) : 1;
                    if (depth > 0) depth--;
                    i++;
                }
                case '*', '+', '?' -> {
                    total[depth] = Math.min(CAP, total[depth] + 1);
                    i++;
                    continue;
                }
                case '{' -> {
                    int close = regex.indexOf('}', i);
                    long times = close < 0 ? -1 : repeatTimes(regex.substring(i + 1, close));
                    if (times >= 0) {
                        long repeated = Math.min(CAP, last[depth] * Math.max(1, times));
                        total[depth] = Math.min(CAP, total[depth] - last[depth] + repeated + 1);
                        last[depth] = repeated;
                        i = close + 1;
                        continue;
                    }
                    i++;
                }
                case '|' -> {
                    total[depth] = Math.min(CAP, total[depth] + 1);
                    last[depth] = 0;
                    i++;
                    continue;
                }
                default -> i++;
            }
            total[depth] = Math.min(CAP, total[depth] + atom);
            last[depth] = atom;
        }
        long size = 0;
        for (int d = 0; d <= depth; d++) size = Math.min(CAP, size + total[d]); // unclosed groups: RE2 refuses them anyway
        return size;
    }

    /** How many copies {@code {n}}, {@code {n,}} or {@code {n,m}} makes; -1 when it is not a repetition. */
    private static long repeatTimes(String inside) {
        if (!inside.matches("\\d{1,9}(,\\d{0,9})?")) return -1;
        int comma = inside.indexOf(',');
        long min = Long.parseLong(comma < 0 ? inside : inside.substring(0, comma));
        if (comma < 0) return min;
        String max = inside.substring(comma + 1);
        return max.isEmpty() ? min + 1 : Math.max(min, Long.parseLong(max));
    }

    /** The index after the escape at {@code i}: {@code \Q…\E}, {@code \p{…}}, {@code \x{…}} or one character. */
    private static int escapeEnd(String regex, int i) {
        int n = regex.length();
        if (i + 1 >= n) return n;
        char e = regex.charAt(i + 1);
        if (e == 'Q') {
            int end = regex.indexOf("\\E", i + 2);
            return end < 0 ? n : end + 2;
        }
        if ((e == 'p' || e == 'P' || e == 'x') && i + 2 < n && regex.charAt(i + 2) == '{') {
            int close = regex.indexOf('}', i + 2);
            return close < 0 ? n : close + 1;
        }
        return i + 2;
    }

    /** The index after the character class opening at {@code i}. */
    private static int classEnd(String regex, int i) {
        int n = regex.length();
        int j = i + 1;
        if (j < n && regex.charAt(j) == '^') j++;
        if (j < n && regex.charAt(j) == ']') j++; // a leading ] is a literal
        while (j < n) {
            char c = regex.charAt(j);
            if (c == '\\') j += 2;
            else if (c == '[' && j + 1 < n && regex.charAt(j + 1) == ':') {
                int close = regex.indexOf(":]", j + 2);
                j = close < 0 ? j + 1 : close + 2;
            } else if (c == ']') return j + 1;
            else j++;
        }
        return n;
    }
}
