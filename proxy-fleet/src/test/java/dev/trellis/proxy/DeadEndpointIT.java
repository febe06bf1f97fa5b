package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.snapshot;
import static dev.trellis.proxy.Snapshots.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.Retry;
import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.WeightedCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A dead endpoint listed next to live ones, through the real proxy: one whose port refuses
 * connections, and one that accepts and resets every connection (a wedged process behind a live
 * socket). Neither may take a real share of the calls, whatever the balancer, and callers see none
 * of its failures.
 */
@Timeout(120)
class DeadEndpointIT {
    static final TestBackend A = TestBackend.start("a");
    static final TestBackend B = TestBackend.start("b");
    static final Resetting RESETTING = new Resetting();
    final ProxyHarness proxy = SharedProxy.get();

    @BeforeEach
    void reset() {
        A.reset();
        B.reset();
        RESETTING.accepted.set(0);
    }

    @AfterAll
    static void stop() {
        A.close();
        B.close();
        RESETTING.close();
    }

    private void route(String name, Cluster.LoadBalancer algorithm, Retry retry, int deadPort) {
        List<Cluster.Endpoint> endpoints = List.of(new Cluster.Endpoint("127.0.0.1", deadPort),
                new Cluster.Endpoint("127.0.0.1", A.port()), new Cluster.Endpoint("127.0.0.1", B.port()));
        Cluster cluster = new Cluster(name, "echo", null, "spiffe://tenant-1/ns/shop/sa/echo", false, algorithm, endpoints, null, null);
        RouteRule rule = new RouteRule("echo/0", Match.any(), List.of(new WeightedCluster(name, 1)), 0, retry, null, null, null, null);
        assertThat(proxy.apply(snapshot(List.of(upstream("echo", rule)), List.of(cluster))).applied()).isTrue();
    }

    private List<HttpResponse<String>> send(int count) {
        return proxy.sendMany(count, 4, () -> proxy.request("http://echo/r").build());
    }

    /** Without any retry policy: a refused connect sent nothing, so it goes to another endpoint. */
    @ParameterizedTest
    @EnumSource(Cluster.LoadBalancer.class)
    void aRefusingEndpointCostsCallersNothing(Cluster.LoadBalancer algorithm) {
        route("echo/refusing-" + algorithm, algorithm, null, ProxyHarness.freePort());

        List<HttpResponse<String>> responses = send(300);

        Map<Integer, Long> byStatus = RoutingIT.countBy(responses, HttpResponse::statusCode);
        assertThat(byStatus).isEqualTo(Map.of(200, 300L));
        assertThat(A.hits.get() + B.hits.get()).isEqualTo(300);
    }

    /** The case: EWMA, a dead endpoint answering fast (by a reset) must not look the cheapest. */
    @Test
    void ewmaSendsAResettingEndpointAlmostNothing() {
        route("echo/resetting", Cluster.LoadBalancer.EWMA, new Retry(3, 0, List.of("reset"), 0, 0, 20), RESETTING.port());

        List<HttpResponse<String>> responses = send(300);

        assertThat(RoutingIT.countBy(responses, HttpResponse::statusCode)).isEqualTo(Map.of(200, 300L));
        // One reset lifts its cost above the live ones'; three in a row eject it.
        assertThat(RESETTING.accepted.get()).isBetween(1, 6);
    }

    /** Accepts connections and resets each at once. */
    static final class Resetting implements AutoCloseable {
        final AtomicInteger accepted = new AtomicInteger();
        private final ServerSocket server;

        Resetting() {
            try {
                server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try (Socket socket = server.accept()) {
                        accepted.incrementAndGet();
                        socket.setSoLinger(true, 0);
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
