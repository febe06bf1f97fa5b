package dev.trellis.compiler.bench;

import dev.trellis.compiler.CompileResult;
import dev.trellis.compiler.CompiledMesh;
import dev.trellis.compiler.MeshState;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.SnapshotJson;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;

/**
 * The compiler on the tenant of issue 3: STRICT, 2,000 services, 10,000 routes, each service
 * allowed to call 5–10 others. {@code fullCompile} compiles everything; {@code oneRouteChange}
 * recompiles after the typical edit (one route's canary weight), alternating between two states so
 * that every call has a real change to apply. The ratio of the two is the saving of incremental
 * recompilation, measured in the same run. Setup prints the heap the compiled snapshots retain.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class CompilerBenchmark {
    private MeshState state;
    private MeshState[] edits;
    private CompiledMesh current;
    private int next;

    /** Held only while memory is measured. */
    private Object held;

    @Setup(Level.Trial)
    public void setUp() {
        state = LargeMesh.of(2_000, 10_000);
        edits = new MeshState[]{LargeMesh.withRouteChanged(state, 4_321, 80), state};
        reportMemory();
        current = CompiledMesh.compile(state);
        reportShape(current.result());
    }

    @Benchmark
    public CompiledMesh fullCompile() {
        long cpu = CPU.getCurrentThreadCpuTime();
        CompiledMesh compiled = CompiledMesh.compile(state);
        count("fullCompile", cpu);
        return compiled;
    }

    @Benchmark
    public CompiledMesh oneRouteChange() {
        long cpu = CPU.getCurrentThreadCpuTime();
        current = current.recompile(edits[next]);
        next = 1 - next;
        count("oneRouteChange", cpu);
        return current;
    }

    /**
     * CPU time of the benchmark thread per operation, over warm-up and measurement: on a shared
     * machine the wall-clock score includes time waiting for a core, this does not.
     */
    @TearDown(Level.Trial)
    public void reportCpu() {
        if (ops > 0) System.out.printf("%n[cpu] %s: %.1f ms of CPU per operation over %d operations%n", benchmark, cpuNanos / 1e6 / ops, ops);
    }

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private String benchmark;
    private long cpuNanos;
    private long ops;

    private void count(String name, long cpuBefore) {
        benchmark = name;
        cpuNanos += CPU.getCurrentThreadCpuTime() - cpuBefore;
        ops++;
    }

    private void reportMemory() {
        long nothing = usedHeapAfterGc();
        held = CompiledMesh.compile(state);
        long compiled = usedHeapAfterGc();
        held = ((CompiledMesh) held).result().snapshots();
        long snapshots = usedHeapAfterGc();
        held = null;
        System.out.printf("%n[memory] the 2,000 snapshots retain %.1f MB of heap (they share upstream and cluster objects);"
                + " the CompiledMesh with what incremental recompilation keeps retains %.1f MB%n",
                (snapshots - nothing) / 1e6, (compiled - nothing) / 1e6);
    }

    private void reportShape(CompileResult result) {
        long json = 0;
        int upstreams = 0;
        for (Snapshot s : result.snapshots().values()) {
            json += SnapshotJson.write(s).length;
            upstreams += s.upstreams().size();
        }
        System.out.printf("[mesh] %d services, %d routes, %d policies; %d snapshots, %.1f upstreams per snapshot, %d warnings%n",
                state.services().size(), state.routes().size(), state.policies().size(), result.snapshots().size(),
                (double) upstreams / result.snapshots().size(), result.warnings().size());
        System.out.printf("[json] snapshot JSON totals %.1f MB, %.1f KB per service on average%n", json / 1e6,
                json / 1e3 / result.snapshots().size());
        System.out.printf("[recompile] one-route change rebuilds %d of %d snapshots%n",
                current.recompile(edits[0]).recompiledServices().size(), result.snapshots().size());
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
