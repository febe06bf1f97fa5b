package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.Upstream;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code protocol: "tcp"}: what the compiler accepts for opaque connections, and what it writes into snapshots. */
class TcpSemanticsTest {

    static MeshBuilder mesh() {
        return MeshBuilder.mesh("shop", "{'mtls': 'STRICT', 'defaults': {'timeout': '3s', 'retry': {'attempts': 2}}}")
                .service("web", "{'port': 8080}")
                .service("db", "{'protocol': 'tcp', 'port': 5432, 'versions': [{'name': 'primary'}, {'name': 'replica'}]}")
                .service("db-next", "{'protocol': 'tcp', 'port': 5432}")
                .policy("web-to-db", "{'kind': 'ACCESS', 'target': {'service': 'db'}, 'spec': {'allow': [{'from': {'service': 'web'}}]}}")
                .policy("db-breaker", "{'kind': 'CIRCUIT_BREAKER', 'target': {'service': 'db'}, 'spec': {'maxConcurrentRequests': 50}}")
                .policy("db-outliers", "{'kind': 'OUTLIER_DETECTION', 'target': {'service': 'db'}, 'spec': {'consecutiveErrors': 2}}")
                .endpoint("db", "primary", "10.0.0.5", 15006)
                .endpoint("db", "replica", "10.0.0.6", 15006);
    }

    @Test
    void aTcpServiceCompilesToConnectionRulesWithoutRequestPolicies() {
        CompileResult result = MeshCompiler.compile(mesh()
                .route("db-split", """
                        {'service': 'db', 'rules': [{'backends': [{'service': 'db', 'version': 'primary', 'weight': 80},
                                                                  {'service': 'db', 'version': 'replica', 'weight': 20}]}]}""")
                .build());
        assertThat(result.errors()).isEmpty();
        Snapshot web = result.snapshots().get("web");
        Upstream db = web.upstreams().stream().filter(u -> u.service().equals("db")).findFirst().orElseThrow();
        assertThat(db.protocol()).isEqualTo("tcp");
        assertThat(db.rules()).extracting(RouteRule::id).containsExactly("db-split/0", "db/default");
        // The mesh's default timeout and retry act on requests: a tcp upstream's rules carry neither.
        assertThat(db.rules()).allSatisfy(r -> {
            assertThat(r.timeoutMs()).isZero();
            assertThat(r.retry()).isNull();
        });
        assertThat(db.rules().get(0).backends()).extracting(b -> b.cluster() + "=" + b.weight())
                .containsExactly("db/primary=80", "db/replica=20");
        Snapshot own = result.snapshots().get("db");
        assertThat(own.inbound().protocol()).isEqualTo("tcp");
        assertThat(own.inbound().access().rules()).hasSize(1);
        assertThat(own.clusters()).filteredOn(c -> c.name().equals("db/primary"))
                .allSatisfy(c -> assertThat(c.circuitBreaker().maxConcurrentRequests()).isEqualTo(50));
    }

    @Test
    void whatActsOnRequestsIsRefusedForTcpWithEveryPath() {
        CompileResult result = MeshCompiler.compile(mesh()
                .route("db-bad", """
                        {'service': 'db', 'rules': [
                          {'match': {'pathPrefix': '/x'}, 'backends': [{'service': 'web'}], 'timeout': '1s',
                           'retry': {'attempts': 2}, 'fault': {'abort': {'status': 503, 'percent': 5}},
                           'headers': {'request': {'set': {'x-a': '1'}}}, 'mirror': {'service': 'db-next'}},
                          {'backends': [{'service': 'db-next'}]}]}""")
                .route("web-to-tcp", "{'service': 'web', 'rules': [{'backends': [{'service': 'db'}], 'mirror': {'service': 'db-next'}}]}")
                .policy("db-retry", "{'kind': 'RETRY', 'target': {'service': 'db'}, 'spec': {'attempts': 2}}")
                .policy("db-timeout", "{'kind': 'TIMEOUT', 'target': {'service': 'db'}, 'spec': {'timeout': '1s'}}")
                .policy("db-rate", "{'kind': 'RATE_LIMIT', 'target': {'service': 'db'}, 'spec': {'requestsPerSecond': 5}}")
                .policy("db-fault", "{'kind': 'FAULT_INJECTION', 'target': {'service': 'db'}, 'spec': {'abort': {'status': 503, 'percent': 1}}}")
                .policy("db-paths", """
                        {'kind': 'ACCESS', 'target': {'service': 'db'},
                         'spec': {'deny': [{'from': {'service': 'web'}, 'paths': ['/admin'], 'methods': ['GET']}],
                                  'allow': [{'exactPaths': ['/x']}]}}""")
                .build());
        assertThat(result.ok()).isFalse();
        assertThat(result.errors()).extracting(v -> v.resource() + " " + v.field() + ": " + v.message()).containsExactlyInAnyOrder(
                "routes/db-bad rules[0].match: a tcp service's connections have no path, method, header or query to match",
                "routes/db-bad rules[0].timeout: does not apply to a tcp service's connections",
                "routes/db-bad rules[0].retry: does not apply to a tcp service's connections",
                "routes/db-bad rules[0].fault: does not apply to a tcp service's connections",
                "routes/db-bad rules[0].headers: does not apply to a tcp service's connections",
                "routes/db-bad rules[0].mirror: does not apply to a tcp service's connections",
                "routes/db-bad rules[0].backends[0].service: is not a tcp service; a route of tcp service db sends connections to tcp services only",
                "routes/db-bad rules[1]: a route of a tcp service has one rule: connections carry nothing that could choose between rules",
                "routes/web-to-tcp rules[0].backends[0].service: is a tcp service; requests of web (http) cannot go to it",
                "routes/web-to-tcp rules[0].mirror.service: is a tcp service; requests cannot be mirrored to it",
                "policies/db-retry kind: RETRY does not apply to a tcp service: bytes already sent cannot be replayed; "
                        + "a failed connect is tried on another endpoint by itself",
                "policies/db-timeout kind: TIMEOUT does not apply to a tcp service: a connection has no answer to wait for; "
                        + "the proxy's connect and idle timeouts apply",
                "policies/db-rate kind: RATE_LIMIT does not apply to a tcp service: it counts requests, and a connection carries "
                        + "an unknown number of them",
                "policies/db-fault kind: FAULT_INJECTION does not apply to a tcp service: it delays or aborts requests, which a "
                        + "byte stream does not have",
                "policies/db-paths spec.deny[0].paths: a tcp service's connections have no path; only from applies",
                "policies/db-paths spec.deny[0].methods: a tcp service's connections have no method; only from applies",
                "policies/db-paths spec.allow[0].exactPaths: a tcp service's connections have no path; only from applies");
    }
}
