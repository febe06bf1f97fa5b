package dev.trellis.compiler.document;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks regular expressions that proxies will run on every request. Java's engine backtracks, so
 * a quantified group that itself contains a quantifier ({@code (a+)+}, {@code (.*)*},
 * {@code (\w+\s?)*}) can take exponential time on a crafted path: those are refused, as are
 * back-references, which have no linear-time evaluation either.
 */
public final class Regexes {
    static final int MAX_LENGTH = 500;

    private Regexes() {
    }

    /** Why the pattern is refused, or null when it is acceptable. */
    public static String problem(String regex) {
        if (regex.length() > MAX_LENGTH) return "must be at most " + MAX_LENGTH + " characters";
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            return "is not a valid regular expression: " + e.getDescription();
        }
        if (regex.matches(".*\\\\[1-9].*")) return "must not use back-references";
        return nestedQuantifier(regex) ? "could backtrack catastrophically (a repeated group contains a repetition)" : null;
    }

    private static boolean nestedQuantifier(String regex) {
        // For each open group, whether something inside it is repeated.
        Deque<boolean[]> groups = new ArrayDeque<>();
        boolean lastGroupRepeats = false;
        boolean inClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i++;
                lastGroupRepeats = false;
                continue;
            }
            if (inClass) {
                if (c == ']') inClass = false;
                continue;
            }
            switch (c) {
                case '[' -> {
                    inClass = true;
                    lastGroupRepeats = false;
                }
                case '(' -> groups.push(new boolean[]{false});
                case ')' -> {
                    boolean[] inner = groups.isEmpty() ? new boolean[]{false} : groups.pop();
                    lastGroupRepeats = inner[0];
                    // A repeated inner part makes the enclosing group repeat-containing too.
                    if (inner[0] && !groups.isEmpty()) groups.peek()[0] = true;
                    continue;
                }
                case '*', '+', '{' -> {
                    if (lastGroupRepeats && unbounded(regex, i)) return true;
                    if (!groups.isEmpty() && unbounded(regex, i)) groups.peek()[0] = true;
                }
                default -> {
                }
            }
            lastGroupRepeats = false;
        }
        return false;
    }

    /** Whether the quantifier at {@code i} allows unbounded repetition ({@code *}, {@code +}, {@code {n,}}). */
    private static boolean unbounded(String regex, int i) {
        char c = regex.charAt(i);
        if (c != '{') return true;
        int close = regex.indexOf('}', i);
        return close > 0 && regex.substring(i, close).endsWith(",");
    }
}
