package dev.trellis.compiler.bench;

import dev.trellis.compiler.snapshot.RequestPath;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * What normalising a request's path costs the proxy per request (issue 10's "no throughput loss
 * from normalisation"): a path already in normal form (nearly every request: one pass over it) and
 * one that needs decoding, merged slashes and dot segments removed. docs/benchmarks.md, "Path
 * normalisation".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class PathBenchmark {
    @Param({"/hello", "/api/v2/users/alice/orders", "/api//v2/./users/%61lice/x/../orders"})
    public String path;

    @Benchmark
    public String normalise() throws RequestPath.Rejected {
        return RequestPath.normalise(path, RequestPath.EscapedSlashes.REJECT);
    }
}
