package dev.trellis.compiler.snapshot;

import java.util.List;

/** A snapshot refers to something it does not contain, or its version does not match its content. */
public final class SnapshotConsistencyException extends RuntimeException {
    private final List<String> problems;

    public SnapshotConsistencyException(String service, List<String> problems) {
        super("inconsistent snapshot for " + service + ": " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
