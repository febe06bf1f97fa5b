package dev.trellis.compiler;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Incremental recompilation rebuilds only what a change reaches, and equals a full compile. */
class CompiledMeshTest {
    private static MeshBuilder mesh() {
        return MeshBuilder.mesh("m", "{'mtls': 'STRICT'}")
                .service("web", "{'port': 1}")
                .service("admin", "{'port': 1}")
                .service("api", "{'port': 1, 'versions': [{'name': 'v1'}, {'name': 'v2'}]}")
                .service("db", "{'port': 1}")
                .service("lonely", "{'port': 1}")
                .route("api", "{'service': 'api', 'rules': [{'backends': [{'service': 'api', 'version': 'v1'}]}]}")
                .policy("api-access", "{'kind': 'ACCESS', 'target': {'service': 'api'}, 'spec': {'allow': [{'from': {'service': 'web'}}, {'from': {'service': 'admin'}}]}}")
                .policy("db-access", "{'kind': 'ACCESS', 'target': {'service': 'db'}, 'spec': {'allow': [{'from': {'service': 'api'}}]}}")
                .endpoint("api", "v1", "10.0.0.1", 1)
                .endpoint("api", "v2", "10.0.0.2", 1);
    }

    @Test
    void aRouteChangeRebuildsOnlyTheCallersOfItsService() {
        CompiledMesh first = CompiledMesh.compile(mesh().build());
        MeshState changed = mesh().route("api", "{'service': 'api', 'rules': [{'backends': [{'service': 'api', 'version': 'v2'}]}]}").build();
        CompiledMesh next = first.recompile(changed);
        assertThat(next.recompiledServices()).containsExactlyInAnyOrder("web", "admin", "api");
        assertThat(next.result()).isEqualTo(CompiledMesh.compile(changed).result());
        assertThat(next.result().snapshots().get("db")).isSameAs(first.result().snapshots().get("db"));
        assertThat(SnapshotDiff.diff(first.result().snapshots(), next.result().snapshots()))
                .extracting(SnapshotChange::service).containsExactly("admin", "web");
    }

    @Test
    void anAccessChangeRescopesTheCallersItNames() {
        CompiledMesh first = CompiledMesh.compile(mesh().build());
        MeshState changed = mesh().policy("db-access",
                "{'kind': 'ACCESS', 'target': {'service': 'db'}, 'spec': {'allow': [{'from': {'service': 'api'}}, {'from': {'service': 'lonely'}}]}}").build();
        CompiledMesh next = first.recompile(changed);
        assertThat(next.result()).isEqualTo(CompiledMesh.compile(changed).result());
        assertThat(next.result().snapshots().get("lonely").upstreams()).extracting(u -> u.service()).containsExactly("db");
        assertThat(next.recompiledServices()).contains("lonely", "db", "api").doesNotContain("web", "admin");
    }

    @Test
    void anEndpointChangeRebuildsTheClustersCallers() {
        CompiledMesh first = CompiledMesh.compile(mesh().build());
        MeshState changed = mesh().endpoint("api", "v1", "10.0.0.3", 1).build();
        CompiledMesh next = first.recompile(changed);
        assertThat(next.result()).isEqualTo(CompiledMesh.compile(changed).result());
        assertThat(next.recompiledServices()).containsExactlyInAnyOrder("web", "admin", "api");
    }

    @Test
    void addingAServiceCompilesEverything() {
        CompiledMesh first = CompiledMesh.compile(mesh().build());
        MeshState changed = mesh().service("new", "{'port': 1}").build();
        CompiledMesh next = first.recompile(changed);
        assertThat(next.recompiledServices()).hasSize(6);
        assertThat(next.result()).isEqualTo(CompiledMesh.compile(changed).result());
    }

    @Test
    void recoversFromAStateWithErrors() {
        MeshState broken = mesh().route("bad", "{'service': 'ghost', 'rules': [{'backends': [{'service': 'api'}]}]}").build();
        CompiledMesh failed = CompiledMesh.compile(broken);
        assertThat(failed.result().ok()).isFalse();
        CompiledMesh fixed = failed.recompile(mesh().build());
        assertThat(fixed.result()).isEqualTo(MeshCompiler.compile(mesh().build()));
    }
}
