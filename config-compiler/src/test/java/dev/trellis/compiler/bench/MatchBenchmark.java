package dev.trellis.compiler.bench;

import dev.trellis.compiler.snapshot.CompiledMatch;
import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.PathOnly;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What one regex condition costs a request: {@link CompiledMatch} (RE2/J, as the proxy runs it)
 * against java.util.regex on the same pattern and path, and a literal prefix for scale. The price
 * of linear time; see docs/benchmarks.md, "Route regexes".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class MatchBenchmark {
    @Param({"/items/[0-9]+|/items/12345", "^/api/v[0-9]+/users/[^/]+/orders$|/api/v2/users/alice/orders",
            "(?i)/admin(/.*)?|/Admin/settings/users"})
    public String patternAndPath;

    private String path;
    private CompiledMatch re2;
    private CompiledMatch prefix;
    private java.util.regex.Pattern backtracking;

    @Setup
    public void setUp() {
        int bar = patternAndPath.lastIndexOf('|');
        String regex = patternAndPath.substring(0, bar);
        path = patternAndPath.substring(bar + 1);
        re2 = CompiledMatch.of(new Match(null, null, regex, List.of(), List.of(), List.of()));
        prefix = CompiledMatch.of(new Match(null, path.substring(0, 4), null, List.of(), List.of(), List.of()));
        backtracking = java.util.regex.Pattern.compile(regex);
    }

    @Benchmark
    public boolean re2j() {
        return re2.test(path, PathOnly.VIEW);
    }

    @Benchmark
    public boolean javaUtilRegex() {
        return backtracking.matcher(path).matches();
    }

    @Benchmark
    public boolean literalPrefix() {
        return prefix.test(path, PathOnly.VIEW);
    }
}
