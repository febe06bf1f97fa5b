package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.Snapshot;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The outcome of compiling a mesh.
 *
 * @param snapshots one versioned snapshot per service, by service name; empty when there are errors
 * @param errors    violations that block the write, each naming its resource and field
 * @param warnings  analysis findings that do not block it
 */
public record CompileResult(SortedMap<String, Snapshot> snapshots, List<Violation> errors, List<Warning> warnings) {
    public CompileResult {
        snapshots = Collections.unmodifiableSortedMap(new TreeMap<>(snapshots));
        errors = List.copyOf(errors);
        warnings = List.copyOf(warnings);
    }

    /** Whether there are no errors. */
    public boolean ok() {
        return errors.isEmpty();
    }
}
