package dev.trellis.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.OutlierDetection;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ClusterRuntimeTest {

    static ClusterRuntime cluster(Cluster.LoadBalancer algorithm, OutlierDetection outlier, int endpoints) {
        List<Cluster.Endpoint> list = new java.util.ArrayList<>();
        for (int i = 0; i < endpoints; i++) list.add(new Cluster.Endpoint("10.0.0." + (i + 1), 8080));
        return new ClusterRuntime(new Cluster("echo", "echo", null, "spiffe://t/mesh/m/service/echo", false, algorithm, list,
                null, outlier), Map.of());
    }

    @ParameterizedTest
    @EnumSource(Cluster.LoadBalancer.class)
    void aRetryNeverGoesToTheEndpointThatJustFailedWhenAnotherExists(Cluster.LoadBalancer algorithm) {
        ClusterRuntime three = cluster(algorithm, null, 3);
        EndpointState failed = three.endpoints().getFirst();
        for (int i = 0; i < 1000; i++) assertThat(three.pick(failed)).isNotSameAs(failed);

        ClusterRuntime one = cluster(algorithm, null, 1);
        assertThat(one.pick(one.endpoints().getFirst())).isSameAs(one.endpoints().getFirst());
    }

    @ParameterizedTest
    @EnumSource(Cluster.LoadBalancer.class)
    void anEndpointWhoseConnectsFailIsPassedOverThenEjected(Cluster.LoadBalancer algorithm) {
        ClusterRuntime cluster = cluster(algorithm, null, 3);
        EndpointState dead = cluster.endpoints().getFirst();
        for (EndpointState live : cluster.endpoints().subList(1, 3)) cluster.record(live, 2_000_000, false);
        cluster.record(dead, 100_000, true); // a refused connect is fast...
        cluster.gatewayFailure(dead);         // ...and must not make the endpoint look cheap

        Map<EndpointState, Integer> picks = new HashMap<>();
        for (int i = 0; i < 1000; i++) picks.merge(cluster.pick(null), 1, Integer::sum);
        assertThat(picks.getOrDefault(dead, 0)).isZero();

        cluster.gatewayFailure(dead);
        cluster.gatewayFailure(dead);
        assertThat(dead.ejected(System.nanoTime())).as("ejected by default after 3 gateway failures").isTrue();
        for (int i = 0; i < 1000; i++) assertThat(cluster.pick(null)).isNotSameAs(dead);
    }

    @ParameterizedTest
    @EnumSource(Cluster.LoadBalancer.class)
    void anOutlierPolicyReplacesTheDefaultEjection(Cluster.LoadBalancer algorithm) {
        ClusterRuntime cluster = cluster(algorithm, new OutlierDetection(10, 30_000, 50), 3);
        EndpointState dead = cluster.endpoints().getFirst();
        for (int i = 0; i < 3; i++) {
            cluster.record(dead, 100_000, true);
            cluster.gatewayFailure(dead);
        }
        assertThat(dead.ejected(System.nanoTime())).isFalse();
    }
}
