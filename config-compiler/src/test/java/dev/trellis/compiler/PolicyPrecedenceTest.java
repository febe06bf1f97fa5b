package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.Snapshot;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Route rule over route policy over service policy over mesh default, slot by slot. */
class PolicyPrecedenceTest {
    private static MeshBuilder mesh() {
        return MeshBuilder.mesh("m", """
                        {'mtls': 'PERMISSIVE', 'defaults': {'timeout': '15s', 'retry': {'attempts': 2},
                          'circuitBreaker': {'failureRatePercent': 50}, 'loadBalancer': {'algorithm': 'LEAST_REQUEST'}}}""")
                .service("client", "{'port': 1, 'dependsOn': ['api', 'plain']}")
                .service("plain", "{'port': 2}")
                .service("api", "{'port': 3, 'loadBalancer': {'algorithm': 'EWMA'}}")
                .route("api-main", """
                        {'service': 'api', 'rules': [
                          {'match': {'pathPrefix': '/fast'}, 'backends': [{'service': 'api'}], 'timeout': '100ms',
                           'retry': {'attempts': 5}, 'fault': {'abort': {'status': 503, 'percent': 1}}},
                          {'match': {'pathPrefix': '/'}, 'backends': [{'service': 'api'}]}]}""")
                .policy("api-timeout", "{'kind': 'TIMEOUT', 'target': {'service': 'api'}, 'spec': {'timeout': '5s'}}")
                .policy("api-retry", "{'kind': 'RETRY', 'target': {'service': 'api'}, 'spec': {'attempts': 3}}")
                .policy("api-main-timeout", "{'kind': 'TIMEOUT', 'target': {'service': 'api', 'route': 'api-main'}, 'spec': {'timeout': '1s'}}")
                .policy("api-main-limit", "{'kind': 'RATE_LIMIT', 'target': {'service': 'api', 'route': 'api-main'}, 'spec': {'requestsPerSecond': 50}}")
                .policy("api-limit", "{'kind': 'RATE_LIMIT', 'target': {'service': 'api'}, 'spec': {'requestsPerSecond': 500, 'burst': 1000}}")
                .policy("api-breaker", "{'kind': 'CIRCUIT_BREAKER', 'target': {'service': 'api'}, 'spec': {'failureRatePercent': 20}}")
                .policy("api-lb", "{'kind': 'LOAD_BALANCER', 'target': {'service': 'api'}, 'spec': {'algorithm': 'ROUND_ROBIN'}}");
    }

    private static final Snapshot CLIENT = MeshCompiler.compile(mesh().build()).snapshots().get("client");

    private static List<RouteRule> rules(String upstream) {
        return CLIENT.upstreams().stream().filter(u -> u.service().equals(upstream)).findFirst().orElseThrow().rules();
    }

    private static Cluster cluster(String name) {
        return CLIENT.clusters().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void ruleValuesBeatEverything() {
        RouteRule fast = rules("api").get(0);
        assertThat(fast.timeoutMs()).isEqualTo(100);
        assertThat(fast.retry().attempts()).isEqualTo(5);
        assertThat(fast.fault().abortStatus()).isEqualTo(503);
    }

    @Test
    void routePolicyBeatsServicePolicy() {
        RouteRule rest = rules("api").get(1);
        assertThat(rest.timeoutMs()).isEqualTo(1000);
        assertThat(rest.rateLimit().requestsPerSecond()).isEqualTo(50);
    }

    @Test
    void servicePolicyBeatsMeshDefault() {
        RouteRule catchAll = rules("api").get(2);
        assertThat(catchAll.id()).isEqualTo("api/default");
        assertThat(catchAll.timeoutMs()).isEqualTo(5000);
        assertThat(catchAll.retry().attempts()).isEqualTo(3);
        assertThat(catchAll.rateLimit()).as("a service rate limit is inbound, not per caller").isNull();
        assertThat(cluster("api").circuitBreaker().failureRatePercent()).isEqualTo(20);
        assertThat(cluster("api").loadBalancer()).as("policy over the service's own field").isEqualTo(Cluster.LoadBalancer.ROUND_ROBIN);
    }

    @Test
    void meshDefaultsApplyWhereNothingElseIsSaid() {
        RouteRule plain = rules("plain").getFirst();
        assertThat(plain.timeoutMs()).isEqualTo(15_000);
        assertThat(plain.retry().attempts()).isEqualTo(2);
        assertThat(cluster("plain").circuitBreaker().failureRatePercent()).isEqualTo(50);
        assertThat(cluster("plain").loadBalancer()).isEqualTo(Cluster.LoadBalancer.LEAST_REQUEST);
    }

    @Test
    void serviceRateLimitIsEnforcedInboundByTheServiceItself() {
        Snapshot api = MeshCompiler.compile(mesh().build()).snapshots().get("api");
        assertThat(api.inbound().rateLimit().requestsPerSecond()).isEqualTo(500);
        assertThat(api.inbound().rateLimit().burst()).isEqualTo(1000);
    }
}
