package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.SnapshotJson;
import dev.trellis.compiler.snapshot.Upstream;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A compiled mesh that remembers what each snapshot was built from, so that
 * {@link #recompile(MeshState)} rebuilds only the snapshots a change can reach: a change to one
 * route of service X rebuilds the snapshots of X's callers and nothing else. The result is
 * always equal to a full {@link #compile(MeshState)} of the new state. Immutable.
 */
public final class CompiledMesh {
    private final MeshState state;
    private final MeshIndex index;
    private final SnapshotParts parts;
    private final CompileResult result;
    private final Map<String, SortedSet<String>> scopes;
    private final Map<String, Set<String>> reads;
    private final Set<String> recompiled;
    private final Analysis.Findings findings;

    private CompiledMesh(MeshState state, MeshIndex index, SnapshotParts parts, CompileResult result, Map<String, SortedSet<String>> scopes,
                         Map<String, Set<String>> reads, Set<String> recompiled, Analysis.Findings findings) {
        this.state = state;
        this.index = index;
        this.parts = parts;
        this.result = result;
        this.scopes = scopes;
        this.reads = reads;
        this.recompiled = Collections.unmodifiableSet(new TreeSet<>(recompiled));
        this.findings = findings;
    }

    /** Compiles every snapshot of the mesh. */
    public static CompiledMesh compile(MeshState state) {
        MeshIndex index = new MeshIndex(state);
        return build(state, index, new SnapshotParts(index), null, state.services().keySet(), state.services().keySet(),
                state.services().keySet(), CrossValidation.check(state));
    }

    /**
     * Compiles {@code next}, reusing every snapshot of this compile that the differences cannot
     * reach. Changing the mesh document or the set of services compiles everything again.
     */
    public CompiledMesh recompile(MeshState next) {
        if (!result.ok() || !next.tenant().equals(state.tenant()) || !next.mesh().equals(state.mesh())
                || !next.spec().equals(state.spec()) || !next.services().keySet().equals(state.services().keySet())) {
            return compile(next);
        }
        StateChanges changes = StateChanges.between(state, next);
        MeshIndex index = changes.sameIndex() ? new MeshIndex(next, this.index) : new MeshIndex(next);
        SnapshotParts nextParts = new SnapshotParts(index, parts, changes.touched());
        Set<String> rebuild = new HashSet<>(changes.touched());
        rebuild.addAll(changes.scopeChanged());
        reads.forEach((service, read) -> {
            for (String s : read) {
                if (changes.touched().contains(s)) {
                    rebuild.add(service);
                    break;
                }
            }
        });
        return build(next, index, nextParts, this, rebuild, changes.touched(), changes.scopeChanged(),
                CrossValidation.check(next, changes));
    }

    private static CompiledMesh build(MeshState state, MeshIndex index, SnapshotParts parts, CompiledMesh previous,
                                      Set<String> rebuild, Set<String> touched, Set<String> rescope,
                                      List<Violation> errors) {
        if (!errors.isEmpty()) {
            return new CompiledMesh(state, index, parts, new CompileResult(new TreeMap<>(), errors, List.of()), Map.of(),
                    Map.of(), state.services().keySet(), null);
        }
        boolean incremental = previous != null;
        Map<String, SortedSet<String>> scopes = incremental ? new HashMap<>(previous.scopes) : new HashMap<>();
        Map<String, Set<String>> reads = incremental ? new HashMap<>(previous.reads) : new HashMap<>();
        SortedMap<String, Snapshot> snapshots = incremental ? new TreeMap<>(previous.result.snapshots()) : new TreeMap<>();
        for (String service : rescope) {
            if (state.services().containsKey(service)) scopes.put(service, Scope.of(service, index));
        }
        Set<String> rebuilt = new HashSet<>();
        for (String service : rebuild) {
            if (!state.services().containsKey(service)) continue;
            Set<String> read = new HashSet<>();
            snapshots.put(service, snapshot(service, scopes.get(service), state, parts, read));
            reads.put(service, read);
            rebuilt.add(service);
        }
        Analysis.Findings findings = Analysis.run(state, index, parts, scopes, previous == null ? null : previous.findings,
                touched, rescope);
        CompileResult result = new CompileResult(findings.errors().isEmpty() ? snapshots : new TreeMap<>(),
                findings.errors(), findings.warnings());
        return new CompiledMesh(state, index, parts, result, scopes, reads, rebuilt, findings);
    }

    private static Snapshot snapshot(String service, SortedSet<String> scope, MeshState state, SnapshotParts parts,
                                     Set<String> read) {
        read.add(service);
        List<Upstream> upstreams = new ArrayList<>(scope.size());
        List<byte[]> upstreamsJson = new ArrayList<>(scope.size());
        SortedSet<String> clusterNames = new TreeSet<>();
        for (String callee : scope) {
            SnapshotParts.UpstreamPart part = parts.upstreamPart(callee);
            upstreams.add(part.upstream());
            upstreamsJson.add(part.json());
            read.add(callee);
            clusterNames.addAll(part.clusters());
        }
        List<Cluster> clusters = new ArrayList<>(clusterNames.size());
        List<byte[]> clustersJson = new ArrayList<>(clusterNames.size());
        for (String name : clusterNames) {
            SnapshotParts.ClusterPart part = parts.clusterPart(name);
            clusters.add(part.cluster());
            clustersJson.add(part.json());
            read.add(part.cluster().service());
        }
        Snapshot unversioned = new Snapshot(null, state.tenant(), state.mesh(), service, state.identityOf(service),
                state.spec().mtls(), parts.inbound(service), upstreams, clusters);
        return SnapshotJson.withComputedVersion(unversioned, upstreamsJson, clustersJson);
    }

    /** The compile result: snapshots, errors, warnings. */
    public CompileResult result() {
        return result;
    }

    /** The state this was compiled from. */
    public MeshState state() {
        return state;
    }

    /** The services whose snapshots this compile built anew rather than reused (every service for a full compile). */
    public Set<String> recompiledServices() {
        return recompiled;
    }

    /** The services each service's snapshot lets it call (its outbound scope), by service. */
    public Map<String, SortedSet<String>> callGraph() {
        return Collections.unmodifiableMap(scopes);
    }
}
