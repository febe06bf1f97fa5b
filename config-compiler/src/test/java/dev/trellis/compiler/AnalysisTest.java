package dev.trellis.compiler;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AnalysisTest {
    /** a -> b -> c -> d, each declared with dependsOn, each callee retried {@code attempts} times. */
    private static MeshBuilder chain(String meshDoc, int attempts) {
        MeshBuilder m = MeshBuilder.mesh("m", meshDoc)
                .service("a", "{'port': 1, 'dependsOn': ['b']}")
                .service("b", "{'port': 1, 'dependsOn': ['c']}")
                .service("c", "{'port': 1, 'dependsOn': ['d']}")
                .service("d", "{'port': 1, 'dependsOn': []}");
        for (String s : List.of("b", "c", "d")) {
            m.policy("retry-" + s, "{'kind': 'RETRY', 'target': {'service': '" + s + "'}, 'spec': {'attempts': " + attempts + "}}");
        }
        return m;
    }

    private static List<Warning> warnings(CompileResult r, String code) {
        return r.warnings().stream().filter(w -> w.code().equals(code)).toList();
    }

    @Test
    void retryAmplificationAlongAChainIsWarnedAboveTheDefaultBound() {
        CompileResult r = MeshCompiler.compile(chain("{}", 3).build());
        assertThat(r.ok()).isTrue();
        assertThat(warnings(r, "RETRY_AMPLIFICATION")).singleElement().satisfies(w -> {
            assertThat(w.message()).contains("27 calls to d").contains("a -> b -> c -> d");
            assertThat(w.resources()).containsExactly("services/a", "services/b", "services/c", "services/d");
        });
        assertThat(warnings(MeshCompiler.compile(chain("{}", 2).build()), "RETRY_AMPLIFICATION")).isEmpty();
    }

    @Test
    void aBoundTheTenantSetIsEnforced() {
        CompileResult r = MeshCompiler.compile(chain("{'analysis': {'maxRetryAmplification': 4}}", 2).build());
        assertThat(r.ok()).isFalse();
        assertThat(r.snapshots()).isEmpty();
        assertThat(r.errors()).singleElement().satisfies(v -> {
            assertThat(v.resource()).isEqualTo("mesh");
            assertThat(v.field()).isEqualTo("analysis.maxRetryAmplification");
            assertThat(v.message()).contains("8 calls to d");
        });
    }

    @Test
    void timeoutShorterThanRetriesNeedIsWarned() {
        CompileResult r = MeshCompiler.compile(MeshBuilder.mesh("m", "{}")
                .service("web", "{'port': 1, 'dependsOn': ['api']}")
                .service("api", "{'port': 1, 'dependsOn': ['db']}")
                .service("db", "{'port': 1, 'dependsOn': []}")
                .route("api", "{'service': 'api', 'rules': [{'backends': [{'service': 'api'}], 'timeout': '1s'}]}")
                .route("db", """
                        {'service': 'db', 'rules': [{'backends': [{'service': 'db'}],
                          'retry': {'attempts': 3, 'perTryTimeout': '500ms'}}]}""")
                .route("slow", """
                        {'service': 'db', 'rules': [{'match': {'pathPrefix': '/x'}, 'backends': [{'service': 'db'}], 'timeout': '100ms',
                          'retry': {'attempts': 3, 'perTryTimeout': '500ms'}}]}""")
                .build());
        assertThat(warnings(r, "TIMEOUT_BUDGET")).extracting(Warning::resources).contains(
                List.of("routes/slow"), List.of("routes/api", "routes/db"));
        assertThat(warnings(r, "TIMEOUT_BUDGET")).anySatisfy(w -> assertThat(w.message())
                .contains("callers of api give up after 1s").contains("may take 1s575ms".replace("1s575ms", "1575ms")));
    }

    @Test
    void shadowedRulesAreNamed() {
        CompileResult r = MeshCompiler.compile(MeshBuilder.mesh("m", "{}")
                .service("api", "{'port': 1}")
                .route("a-broad", "{'service': 'api', 'rules': [{'match': {'pathPrefix': '/v1'}, 'backends': [{'service': 'api'}]}]}")
                .route("b-narrow", """
                        {'service': 'api', 'rules': [{'match': {'pathExact': '/v1/users', 'methods': ['GET']}, 'backends': [{'service': 'api'}]},
                          {'match': {'pathPrefix': '/v2'}, 'backends': [{'service': 'api'}]}]}""")
                .build());
        assertThat(warnings(r, "SHADOWED_RULE")).singleElement().satisfies(w -> {
            assertThat(w.message()).contains("rule b-narrow/0").contains("a-broad/0");
            assertThat(w.resources()).containsExactly("routes/a-broad", "routes/b-narrow");
        });
    }

    @Test
    void versionsWithoutEndpointsAndUnreachableVersions() {
        CompileResult r = MeshCompiler.compile(MeshBuilder.mesh("m", "{}")
                .service("api", "{'port': 1, 'versions': [{'name': 'v1'}, {'name': 'v2'}, {'name': 'v3'}]}")
                .route("split", """
                        {'service': 'api', 'rules': [{'backends': [{'service': 'api', 'version': 'v1', 'weight': 100},
                                                                   {'service': 'api', 'version': 'v2', 'weight': 0}]}]}""")
                .endpoint("api", "v2", "10.0.0.2", 1)
                .build());
        assertThat(warnings(r, "VERSION_WITHOUT_ENDPOINTS")).singleElement()
                .satisfies(w -> assertThat(w.resources()).containsExactly("routes/split", "services/api"));
        assertThat(warnings(r, "UNREACHABLE_VERSION")).extracting(Warning::message).containsExactlyInAnyOrder(
                "rule split/0 gives api/v2 a weight of 0: that backend gets none of its traffic",
                "version v2 of api gets no traffic: every rule for it picks other versions",
                "version v3 of api gets no traffic: every rule for it picks other versions");
    }

    @Test
    void accessPoliciesThatLockEveryoneOut() {
        CompileResult r = MeshCompiler.compile(MeshBuilder.mesh("m", "{'mtls': 'STRICT'}")
                .service("web", "{'port': 1, 'dependsOn': ['api', 'db']}")
                .service("api", "{'port': 1}")
                .service("db", "{'port': 1}")
                .policy("api-allow", "{'kind': 'ACCESS', 'target': {'service': 'api'}, 'spec': {'allow': [{'from': {'service': 'web'}}]}}")
                .policy("api-deny", "{'kind': 'ACCESS', 'target': {'service': 'api'}, 'spec': {'deny': [{}]}}")
                .build());
        assertThat(warnings(r, "ACCESS_LOCKOUT")).extracting(Warning::message).containsExactlyInAnyOrder(
                "the ACCESS policies of api admit no service of the mesh, yet routes or dependsOn point at it",
                "db has no ACCESS policy, so under STRICT no service may call it, yet routes or dependsOn point at it",
                "web depends on api but the ACCESS policies of api do not admit it, so web cannot call api",
                "web depends on db but the ACCESS policies of db do not admit it, so web cannot call db");
        assertThat(r.snapshots().get("web").upstreams()).isEmpty();
    }
}
