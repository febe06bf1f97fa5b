package dev.trellis.proxy;

import static dev.trellis.proxy.GrpcIT.SAY;
import static dev.trellis.proxy.Snapshots.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.Inbound;
import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.OutlierDetection;
import dev.trellis.compiler.snapshot.Retry;
import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.Upstream;
import dev.trellis.compiler.snapshot.WeightedCluster;
import dev.trellis.proxy.policy.UsageLedger;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code grpc-status} as the proxy's outcome of a call, with real grpc-java servers behind their
 * own proxies and a real client: one server answers, the other fails every call with UNAVAILABLE
 * (HTTP 200, the failure only in grpc-status). The caller's proxy counts each call by status,
 * retries UNAVAILABLE where the route says {@code retryOn: [unavailable]}, and ejects the failing
 * endpoint as it would one answering 5xx.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GrpcStatusIT {
    static Server good;
    static Server bad;
    static final AtomicInteger badCalls = new AtomicInteger();
    static ProxyHarness goodProxy;
    static ProxyHarness badProxy;
    static ProxyHarness web;
    static ManagedChannel plain;
    static ManagedChannel retrying;

    static Server server(String name, boolean fails) throws IOException {
        return Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(ServerServiceDefinition.builder("trellis.Echo")
                        .addMethod(SAY, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> out) -> {
                            if (fails) {
                                badCalls.incrementAndGet();
                                out.onError(Status.UNAVAILABLE.withDescription(name + " is draining").asRuntimeException());
                                return;
                            }
                            out.onNext(name + ": " + request);
                            out.onCompleted();
                        }))
                        .build())
                .build().start();
    }

    @BeforeAll
    static void start() throws IOException {
        good = server("good", false);
        bad = server("bad", true);
        goodProxy = new ProxyHarness(good.getPort(), ProxyHarness.tempDir("grpc-good"));
        badProxy = new ProxyHarness(bad.getPort(), ProxyHarness.tempDir("grpc-bad"));
        for (ProxyHarness p : List.of(goodProxy, badProxy)) {
            Inbound grpc = new Inbound("grpc", 9090, new AccessControl(AccessControl.Action.ALLOW, List.of()), null, null);
            assertThat(p.apply(snapshot(grpc, List.of(), List.of())).applied()).isTrue();
        }
        web = new ProxyHarness(SharedProxy.APP.port(), ProxyHarness.tempDir("grpc-web"));
        List<Cluster.Endpoint> both = List.of(new Cluster.Endpoint("127.0.0.1", goodProxy.inboundPort),
                new Cluster.Endpoint("127.0.0.1", badProxy.inboundPort));
        Cluster ejecting = new Cluster("greeter", "greeter", null, "spiffe://tenant-1/ns/shop/sa/greeter", false,
                Cluster.LoadBalancer.ROUND_ROBIN, both, null, new OutlierDetection(3, 30_000, 50));
        Cluster retried = new Cluster("greeter-retry", "greeter-retry", null, "spiffe://tenant-1/ns/shop/sa/greeter", false,
                Cluster.LoadBalancer.ROUND_ROBIN, both, null, null);
        RouteRule retryUnavailable = new RouteRule("greeter-retry/default", Match.any(),
                List.of(new WeightedCluster("greeter-retry", 1)), 0, new Retry(3, 0, List.of("unavailable"), 0, 0, 0),
                null, null, null, null);
        assertThat(web.apply(snapshot(List.of(
                grpcUpstream("greeter", Snapshots.rule("greeter/default", Match.any(), "greeter")),
                grpcUpstream("greeter-retry", retryUnavailable)), List.of(ejecting, retried))).applied()).isTrue();
        plain = channel("greeter");
        retrying = channel("greeter-retry");
    }

    static Upstream grpcUpstream(String service, RouteRule rule) {
        return new Upstream(service, List.of(service, service + "." + Snapshots.MESH), "grpc", 9090, List.of(rule));
    }

    static ManagedChannel channel(String authority) {
        return Grpc.newChannelBuilderForAddress("127.0.0.1", web.outboundPort, InsecureChannelCredentials.create())
                .overrideAuthority(authority).build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (ManagedChannel c : new ManagedChannel[] {plain, retrying}) if (c != null) c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        for (ProxyHarness p : new ProxyHarness[] {web, goodProxy, badProxy}) if (p != null) p.close();
        for (Server s : new Server[] {good, bad}) if (s != null) s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Test
    void unavailableIsRetriedCallByCall() {
        int before = badCalls.get();
        for (int i = 0; i < 20; i++) {
            assertThat(ClientCalls.blockingUnaryCall(retrying, SAY, options(), "hi " + i)).isEqualTo("good: hi " + i);
        }
        assertThat(badCalls.get() - before).isGreaterThanOrEqualTo(5); // round robin sent first attempts there
    }

    @Test
    void serverFailuresCountPerCallAndEjectTheEndpointLikeA5xx() {
        int failures = 0;
        for (int i = 0; i < 30; i++) {
            try {
                assertThat(ClientCalls.blockingUnaryCall(plain, SAY, options(), "hi " + i)).isEqualTo("good: hi " + i);
            } catch (StatusRuntimeException e) {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                failures++;
            }
        }
        // An HTTP 200 with grpc-status UNAVAILABLE is a failure: 3 in a row eject the endpoint (without that, 15 of 30).
        assertThat(failures).isBetween(3, 4);
        assertThat(TcpIT.metric(web, "trellis_grpc_calls_total", "route=\"greeter/default\"", "grpc_status=\"UNAVAILABLE\""))
                .isEqualTo(failures);
        assertThat(TcpIT.metric(web, "trellis_grpc_calls_total", "route=\"greeter/default\"", "grpc_status=\"OK\""))
                .isEqualTo(30 - failures);
        assertThat(TcpIT.metric(badProxy, "trellis_grpc_calls_total", "direction=\"inbound\"", "grpc_status=\"UNAVAILABLE\""))
                .isGreaterThanOrEqualTo(failures);
        // The usage report counts the same calls by grpc-status (all answered HTTP 200), for the control plane's success rate.
        UsageLedger ledger = web.proxy.usage();
        long[] byCode = new long[17];
        long[] answers = {0};
        int expected = failures;
        await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> {
            for (UsageLedger.Row row : ledger.drain()) {
                if (!row.key().rule().equals("greeter/default")) continue;
                answers[0] += row.requestsByClass()[1];
                if (row.grpcByCode() != null) for (int c = 0; c < byCode.length; c++) byCode[c] += row.grpcByCode()[c];
            }
            assertThat(answers[0]).isEqualTo(30);
            assertThat(byCode[14]).isEqualTo(expected);
            assertThat(byCode[0]).isEqualTo(30 - expected);
        });
    }
}
