package dev.trellis.compiler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * The whole-mesh analysis: what only shows up across resources. Each check adds warnings, and
 * errors where the harm is certain.
 */
final class Analysis {
    private Analysis() {
    }

    /** Findings of every check. */
    record Findings(List<Violation> errors, List<Warning> warnings) {
    }

    static Findings run(MeshState state, MeshIndex index, SnapshotParts parts, Map<String, SortedSet<String>> scopes) {
        List<Violation> errors = new ArrayList<>();
        List<Warning> warnings = new ArrayList<>();
        CallGraph graph = new CallGraph(state, scopes);
        RetryAmplification.check(state, parts, graph, errors, warnings);
        TimeoutBudgets.check(state, parts, graph, warnings);
        ShadowedRules.check(state, parts, warnings);
        EndpointCoverage.check(state, parts, warnings);
        AccessLockout.check(state, index, warnings);
        return new Findings(errors, warnings);
    }
}
