package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.SnapshotJson;
import dev.trellis.compiler.snapshot.Upstream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class CompilerPropertiesTest {
    @Property(tries = 100)
    void compilingIsDeterministic(@ForAll long seed) {
        CompileResult first = MeshCompiler.compile(RandomMeshes.of(seed));
        CompileResult second = MeshCompiler.compile(RandomMeshes.of(seed));
        assertThat(first.ok()).as("random meshes are valid").isTrue();
        assertThat(second).isEqualTo(first);
        for (Snapshot s : first.snapshots().values()) {
            s.ensureConsistent();
            assertThat(s.version()).as("spliced hash equals the hash of the whole JSON").isEqualTo(s.withComputedVersion().version());
            assertThat(SnapshotJson.read(SnapshotJson.write(s))).as("the wire form reads back").isEqualTo(s);
        }
    }

    @Property(tries = 100)
    void reorderingResourcesChangesNoVersion(@ForAll long seed) {
        MeshState state = RandomMeshes.of(seed);
        Random r = new Random(seed);
        List<RegisteredEndpoint> endpoints = new ArrayList<>(state.registeredEndpoints());
        Collections.shuffle(endpoints, r);
        TreeMap<String, ServiceSpec> services = new TreeMap<>();
        List<String> names = new ArrayList<>(state.services().keySet());
        Collections.shuffle(names, r);
        for (String name : names) {
            ServiceSpec s = state.services().get(name);
            List<String> dependsOn = s.dependsOn() == null ? null : new ArrayList<>(s.dependsOn());
            if (dependsOn != null) Collections.shuffle(dependsOn, r);
            services.put(name, new ServiceSpec(s.protocol(), s.port(), s.versions(), s.loadBalancer(), s.endpoints(), dependsOn));
        }
        MeshState reordered = new MeshState(state.tenant(), state.mesh(), state.spec(), services, state.routes(),
                state.policies(), endpoints);
        assertThat(versions(MeshCompiler.compile(reordered))).isEqualTo(versions(MeshCompiler.compile(state)));
    }

    @Property(tries = 200)
    void aChangeToOneServiceChangesOnlySnapshotsThatReachIt(@ForAll long seed) {
        MeshState state = RandomMeshes.of(seed);
        CompiledMesh before = CompiledMesh.compile(state);
        String x = new ArrayList<>(state.services().keySet()).get((int) Math.floorMod(seed, state.services().size()));
        ServiceSpec old = state.services().get(x);
        TreeMap<String, ServiceSpec> services = new TreeMap<>(state.services());
        services.put(x, new ServiceSpec(old.protocol(), old.port() + 1, old.versions(), old.loadBalancer(), old.endpoints(), old.dependsOn()));
        MeshState changed = new MeshState(state.tenant(), state.mesh(), state.spec(), services, state.routes(), state.policies(),
                state.registeredEndpoints());
        CompiledMesh after = before.recompile(changed);
        assertThat(after.result()).as("incremental equals full").isEqualTo(MeshCompiler.compile(changed));
        for (SnapshotChange change : SnapshotDiff.diff(before.result().snapshots(), after.result().snapshots())) {
            Snapshot s = before.result().snapshots().get(change.service());
            assertThat(change.service().equals(x) || reaches(s, x))
                    .as("%s changed but cannot reach %s", change.service(), x).isTrue();
        }
    }

    @Property(tries = 200)
    void recompilingAfterRouteAndPolicyEditsEqualsAFullCompile(@ForAll long seed) {
        MeshState state = RandomMeshes.of(seed);
        Random r = new Random(seed);
        List<String> services = new ArrayList<>(state.services().keySet());
        TreeMap<String, RouteSpec> routes = new TreeMap<>(state.routes());
        TreeMap<String, PolicySpec> policies = new TreeMap<>(state.policies());
        if (!routes.isEmpty() && r.nextBoolean()) routes.remove(routes.firstKey());
        String target = r.nextInt(10) == 0 ? "ghost" : services.get(r.nextInt(services.size()));
        routes.put("edited", new RouteSpec(target, List.of(new RouteSpec.Rule(RouteSpec.Match.any(),
                List.of(new RouteSpec.Backend(services.get(r.nextInt(services.size())), null, 100)),
                null, null, null, null, null))));
        if (!policies.isEmpty() && r.nextBoolean()) policies.remove(policies.lastKey());
        MeshState edited = new MeshState(state.tenant(), state.mesh(), state.spec(), state.services(), routes, policies,
                state.registeredEndpoints());
        CompiledMesh before = CompiledMesh.compile(state);
        assertThat(before.recompile(edited).result()).isEqualTo(MeshCompiler.compile(edited));
        assertThat(before.recompile(edited).recompile(state).result()).isEqualTo(before.result());
    }

    private static boolean reaches(Snapshot s, String service) {
        Set<String> reached = new HashSet<>();
        s.upstreams().stream().map(Upstream::service).forEach(reached::add);
        s.clusters().stream().map(Cluster::service).forEach(reached::add);
        return reached.contains(service);
    }

    private static Map<String, String> versions(CompileResult result) {
        Map<String, String> versions = new TreeMap<>();
        result.snapshots().forEach((name, s) -> versions.put(name, s.version()));
        return versions;
    }
}
