package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.SnapshotJson;
import dev.trellis.compiler.snapshot.Upstream;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MeshCompilerTest {
    static MeshBuilder shop() {
        return MeshBuilder.mesh("shop", "{'mtls': 'STRICT'}")
                .service("web", "{'port': 8080}")
                .service("echo", "{'port': 8080, 'versions': [{'name': 'v1'}, {'name': 'v2'}]}")
                .service("db", "{'port': 5432}")
                .route("echo-canary", """
                        {'service': 'echo', 'rules': [{'match': {'pathPrefix': '/', 'headers': [{'name': 'x-canary', 'exact': '1'}]},
                          'backends': [{'service': 'echo', 'version': 'v1', 'weight': 90}, {'service': 'echo', 'version': 'v2', 'weight': 10}],
                          'timeout': '2s'}]}""")
                .policy("web-to-echo", """
                        {'kind': 'ACCESS', 'target': {'service': 'echo'}, 'spec': {'allow': [{'from': {'service': 'web'}, 'methods': ['GET']}]}}""")
                .endpoint("echo", "v1", "10.0.0.1", 8080)
                .endpoint("echo", "v2", "10.0.0.2", 8080);
    }

    @Test
    void compilesOneConsistentVersionedSnapshotPerService() {
        CompileResult result = MeshCompiler.compile(shop().build());
        assertThat(result.errors()).isEmpty();
        assertThat(result.snapshots()).containsOnlyKeys("web", "echo", "db");
        for (Snapshot s : result.snapshots().values()) {
            s.ensureConsistent();
            assertThat(s.version()).startsWith("sha256:");
            assertThat(SnapshotJson.read(SnapshotJson.write(s))).isEqualTo(s);
        }
    }

    @Test
    void strictScopeIsWhatAccessAllows() {
        CompileResult result = MeshCompiler.compile(shop().build());
        assertThat(result.snapshots().get("web").upstreams()).extracting(Upstream::service).containsExactly("echo");
        assertThat(result.snapshots().get("db").upstreams()).isEmpty();
        assertThat(result.snapshots().get("echo").upstreams()).isEmpty();
        AccessControl access = result.snapshots().get("echo").inbound().access();
        assertThat(access.defaultAction()).isEqualTo(AccessControl.Action.DENY);
        assertThat(access.rules()).singleElement().satisfies(r -> {
            assertThat(r.identities()).containsExactly("spiffe://t1.trellis/mesh/shop/service/web");
            assertThat(r.policy()).isEqualTo("web-to-echo");
        });
    }

    @Test
    void permissiveMeshWithoutDeclarationsSeesEveryService_dependsOnNarrows() {
        MeshState state = shop().service("web", "{'port': 8080, 'dependsOn': ['db']}").build();
        MeshState permissive = new MeshState(state.tenant(), state.mesh(), MeshSpec.of(dev.trellis.compiler.snapshot.MtlsMode.PERMISSIVE),
                state.services(), state.routes(), state.policies(), state.registeredEndpoints());
        CompileResult result = MeshCompiler.compile(permissive);
        assertThat(result.snapshots().get("db").upstreams()).extracting(Upstream::service).containsExactly("db", "echo", "web");
        assertThat(result.snapshots().get("web").upstreams()).extracting(Upstream::service).containsExactly("db");
    }

    @Test
    void routesCompileInOrderBeforeTheCatchAll() {
        Upstream echo = MeshCompiler.compile(shop().build()).snapshots().get("web").upstreams().getFirst();
        assertThat(echo.hosts()).containsExactly("echo", "echo.shop");
        assertThat(echo.rules()).extracting(RouteRule::id).containsExactly("echo-canary/0", "echo/default");
        assertThat(echo.rules().getFirst().timeoutMs()).isEqualTo(2000);
        assertThat(echo.rules().getFirst().backends()).extracting(b -> b.cluster() + "=" + b.weight())
                .containsExactly("echo/v1=90", "echo/v2=10");
    }

    @Test
    void unchangedServiceKeepsItsVersion() {
        CompileResult before = MeshCompiler.compile(shop().build());
        CompileResult after = MeshCompiler.compile(shop().service("db", "{'port': 5433}").build());
        assertThat(after.snapshots().get("web").version()).isEqualTo(before.snapshots().get("web").version());
        assertThat(after.snapshots().get("db").version()).isNotEqualTo(before.snapshots().get("db").version());
        assertThat(SnapshotDiff.diff(before.snapshots(), after.snapshots()))
                .singleElement().satisfies(c -> {
                    assertThat(c.service()).isEqualTo("db");
                    assertThat(c.kind()).isEqualTo(SnapshotChange.Kind.CHANGED);
                    assertThat(c.details()).containsExactly("inbound changed");
                });
    }

    @Test
    void crossReferencesAreErrorsWithResourceAndPath() {
        CompileResult result = MeshCompiler.compile(shop()
                .route("bad", "{'service': 'nope', 'rules': [{'backends': [{'service': 'echo', 'version': 'v9'}], 'mirror': {'service': 'ghost'}}]}")
                .policy("t1", "{'kind': 'TIMEOUT', 'target': {'service': 'echo'}, 'spec': {'timeout': '1s'}}")
                .policy("t2", "{'kind': 'TIMEOUT', 'target': {'service': 'echo'}, 'spec': {'timeout': '2s'}}")
                .policy("r", "{'kind': 'RETRY', 'target': {'service': 'web', 'route': 'echo-canary'}, 'spec': {'attempts': 2}}")
                .build());
        assertThat(result.ok()).isFalse();
        assertThat(result.snapshots()).isEmpty();
        assertThat(result.errors()).extracting(v -> v.resource() + " " + v.field() + ": " + v.message()).containsExactlyInAnyOrder(
                "routes/bad service: names no service of this mesh",
                "routes/bad rules[0].backends[0].version: names no version of service echo",
                "routes/bad rules[0].mirror.service: names no service of this mesh",
                "policies/t2 target: conflicts with policies/t1: both are TIMEOUT policies on the same target",
                "policies/r target.route: is a route of service echo, not of web");
    }
}
