package dev.trellis.compiler.snapshot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** RE2/J's linear time, the limits on size, and what RE2 cannot express. */
class MatchPatternsTest {
    /** Inputs built to make a backtracking engine explore every way to split them. */
    private static final List<String> HOSTILE_INPUTS = List.of("/r3/" + "a".repeat(40) + "b", "a".repeat(4000) + "b",
            "a".repeat(4000), "x".repeat(4000) + "!", "/" + "ab".repeat(2000), "/" + "a/".repeat(2000) + "c");

    @ParameterizedTest
    @ValueSource(strings = {"^/r3/(.*a){12}$", "(a|aa)+$", "(a+)+$", "(.*)*b", "(x+x+)+y", "(\\w+\\s?)*$",
            "^(([a-z])+.)+[A-Z]([a-z])+$", "(.*a){20}", "(a|a?)+b", "^(a?){25}a{25}$", "(/[^/]*)*x", "(.*){1,30}[bc]"})
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void patternsThatBacktrackCatastrophicallyAreAcceptedAndStayFast(String regex) {
        assertThat(MatchPatterns.problem(regex)).isNull();
        CompiledMatch match = CompiledMatch.of(new Match(null, null, regex, List.of(), List.of(), List.of()));
        for (String input : HOSTILE_INPUTS) {
            long start = System.nanoTime();
            match.test(input, PathOnly.VIEW);
            long ms = (System.nanoTime() - start) / 1_000_000;
            // java.util.regex takes minutes to years on these; RE2/J is linear (a few ms at most here).
            assertThat(ms).as("%s on %d chars", regex, input.length()).isLessThan(500);
        }
    }

    @Test
    void whatRe2CannotDoIsRefusedWithTheReason() {
        assertThat(MatchPatterns.problem("(a)\\1")).contains("invalid escape sequence").contains("\\1");
        assertThat(MatchPatterns.problem("a(?=b)")).contains("unsupported Perl syntax").contains("(?=");
        assertThat(MatchPatterns.problem("a(?!b)")).contains("(?!");
        assertThat(MatchPatterns.problem("(?<=a)b")).contains("(?<");
        assertThat(MatchPatterns.problem("a++")).contains("invalid nested repetition");
        assertThat(MatchPatterns.problem("[z-a]")).contains("invalid character class range");
    }

    @Test
    void sizeIsBoundedBeforeCompiling() {
        assertThat(MatchPatterns.expandedSize("abc")).isEqualTo(3);
        assertThat(MatchPatterns.expandedSize("(ab){3,5}")).isEqualTo(16);
        assertThat(MatchPatterns.expandedSize("a{200}")).isEqualTo(201);
        assertThat(MatchPatterns.expandedSize("[a-z]{10}")).isEqualTo(11);
        assertThat(MatchPatterns.expandedSize("\\p{Greek}+")).isEqualTo(2);
        assertThat(MatchPatterns.expandedSize("(?i)(?:a|b)")).isEqualTo(4);
        assertThat(MatchPatterns.expandedSize("\\Qa.b\\E{2}")).isEqualTo(7); // over-estimates: RE2 repeats only the b
        assertThat(MatchPatterns.problem("a{199}")).isNull();
        assertThat(MatchPatterns.problem("a{200}")).contains("at most 200");
        // Compiling this with RE2/J would exhaust the heap; it is refused before that.
        assertThat(MatchPatterns.problem("((((a{1000}){1000}){1000}){1000})")).contains("over 1000000000");
        assertThat(MatchPatterns.problem("(.*){1,32000}[bc]")).contains("too large");
        assertThat(MatchPatterns.problem("\\Q" + "a".repeat(1030) + "\\E")).contains("at most 1024 characters");
    }
}
