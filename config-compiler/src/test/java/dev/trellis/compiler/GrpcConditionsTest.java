package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.Upstream;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** gRPC {@code retryOn} conditions: compiled for gRPC services, refused with their path elsewhere. */
class GrpcConditionsTest {

    static MeshBuilder mesh() {
        return MeshBuilder.mesh("shop", "{'mtls': 'PERMISSIVE'}")
                .service("web", "{'port': 8080}")
                .service("greeter", "{'protocol': 'grpc', 'port': 9090}");
    }

    @Test
    void aGrpcServiceRetriesOnGrpcStatuses() {
        CompileResult result = MeshCompiler.compile(mesh()
                .route("greet", """
                        {'service': 'greeter', 'rules': [{'backends': [{'service': 'greeter'}],
                          'retry': {'attempts': 3, 'retryOn': ['unavailable', 'resource-exhausted', 'reset']}}]}""")
                .policy("greeter-retry", """
                        {'kind': 'RETRY', 'target': {'service': 'greeter'}, 'spec': {'attempts': 2, 'retryOn': ['cancelled', 'deadline-exceeded']}}""")
                .build());
        assertThat(result.errors()).isEmpty();
        Upstream greeter = result.snapshots().get("web").upstreams().stream().filter(u -> u.service().equals("greeter"))
                .findFirst().orElseThrow();
        assertThat(greeter.rules()).extracting(RouteRule::id).containsExactly("greet/0", "greeter/default");
        assertThat(greeter.rules().get(0).retry().retryOn()).containsExactly("unavailable", "resource-exhausted", "reset");
        assertThat(greeter.rules().get(1).retry().retryOn()).containsExactly("cancelled", "deadline-exceeded");
    }

    @Test
    void grpcConditionsOnAnHttpServiceAreRefusedWithTheirPath() {
        CompileResult result = MeshCompiler.compile(mesh()
                .route("web-route", """
                        {'service': 'web', 'rules': [{'backends': [{'service': 'web'}],
                          'retry': {'attempts': 3, 'retryOn': ['5xx', 'unavailable']}}]}""")
                .policy("web-retry", "{'kind': 'RETRY', 'target': {'service': 'web'}, 'spec': {'attempts': 2, 'retryOn': ['cancelled']}}")
                .build());
        assertThat(result.errors()).extracting(v -> v.resource() + " " + v.field() + ": " + v.message()).containsExactlyInAnyOrder(
                "routes/web-route rules[0].retry.retryOn[1]: is a gRPC condition, and web is a http service",
                "policies/web-retry spec.retryOn[0]: is a gRPC condition, and web is a http service");
    }
}
