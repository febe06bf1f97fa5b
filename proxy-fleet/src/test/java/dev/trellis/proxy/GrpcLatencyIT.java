package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.MESH;
import static dev.trellis.proxy.Snapshots.rule;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.Inbound;
import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.MtlsMode;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.Upstream;
import io.grpc.CallOptions;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The latency two proxies add to a gRPC unary call, with a real grpc-java client and server: the
 * client's channel goes to its proxy's outbound port (h2c), the proxies speak h2 over mTLS to each
 * other (ALPN), and the server's proxy calls the app over h2c; the same client calls the same
 * server directly for the baseline. One call at a time (closed loop), after a warm-up, in blocks
 * that alternate direct and proxied so that load from elsewhere on the machine hits both alike.
 * Prints p50/p99 of each and the difference; {@code bench/proxy-grpc-latency.sh} runs it
 * ({@code GRPC_BENCH_CALLS}, {@code GRPC_BENCH_WARMUP}: calls per side). Every call must answer
 * what the server sent, and the server must see the caller's identity, proven over mTLS.
 */
class GrpcLatencyIT {
    static final String WEB = "spiffe://tenant-1/ns/shop/sa/web";
    static final String ECHO = "spiffe://tenant-1/ns/shop/sa/echo";
    static final Metadata.Key<String> PEER = Metadata.Key.of("x-trellis-peer-identity", Metadata.ASCII_STRING_MARSHALLER);

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void unaryCallsThroughTwoProxiesWithMtlsCostAFewHundredMicrosecondsMore() throws Exception {
        int calls = Integer.parseInt(System.getenv().getOrDefault("GRPC_BENCH_CALLS", "2000"));
        int warmup = Integer.parseInt(System.getenv().getOrDefault("GRPC_BENCH_WARMUP", "2000"));
        AtomicReference<String> lastPeer = new AtomicReference<>();
        ServerInterceptor peer = new ServerInterceptor() {
            @Override
            public <Q, A> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, A> call, Metadata headers,
                                                                      io.grpc.ServerCallHandler<Q, A> next) {
                lastPeer.set(headers.get(PEER));
                return Contexts.interceptCall(io.grpc.Context.current(), call, headers, next);
            }
        };
        Server app = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(ServerServiceDefinition.builder("trellis.Echo")
                        .addMethod(GrpcIT.SAY, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> out) -> {
                            out.onNext("echo: " + request);
                            out.onCompleted();
                        })).build(), peer))
                .build().start();
        TestCa ca = new TestCa("tenant-1 CA");
        Path webData = ProxyHarness.tempDir("grpc-bench-web");
        Path echoData = ProxyHarness.tempDir("grpc-bench-echo");
        ca.issue(WEB).writeTo(webData, ca.certificate);
        ca.issue(ECHO).writeTo(echoData, ca.certificate);
        ManagedChannel direct = null;
        ManagedChannel proxied = null;
        try (ProxyHarness echoProxy = new ProxyHarness(app.getPort(), echoData, "--trellis.event-loops=1");
             ProxyHarness webProxy = new ProxyHarness(app.getPort(), webData, "--trellis.event-loops=1")) {
            AccessControl onlyWeb = new AccessControl(AccessControl.Action.DENY, List.of(
                    new AccessControl.AccessRule(AccessControl.Action.ALLOW, List.of(WEB), List.of(), List.of(), "web-to-echo")));
            assertThat(echoProxy.apply(new Snapshot(null, "tenant-1", MESH, "echo", ECHO, MtlsMode.STRICT,
                    new Inbound("grpc", app.getPort(), onlyWeb, null, null), List.of(), List.of())).applied()).isTrue();
            Upstream echo = new Upstream("echo", List.of("echo", "echo." + MESH), "grpc", 8080,
                    List.of(rule("echo/default", Match.any(), "echo")));
            Cluster toEchoProxy = new Cluster("echo", "echo", null, ECHO, true, Cluster.LoadBalancer.ROUND_ROBIN,
                    List.of(new Cluster.Endpoint("127.0.0.1", echoProxy.inboundPort)), null, null);
            assertThat(webProxy.apply(new Snapshot(null, "tenant-1", MESH, "web", WEB, MtlsMode.STRICT, Snapshots.openInbound(),
                    List.of(echo), List.of(toEchoProxy))).applied()).isTrue();

            direct = Grpc.newChannelBuilderForAddress("127.0.0.1", app.getPort(), InsecureChannelCredentials.create()).build();
            proxied = Grpc.newChannelBuilderForAddress("127.0.0.1", webProxy.outboundPort, InsecureChannelCredentials.create())
                    .overrideAuthority("echo").build();

            call(proxied, "first");
            assertThat(lastPeer.get()).as("the server's proxy proved the caller over mTLS").isEqualTo(WEB);
            call(direct, "first");
            assertThat(lastPeer.get()).isNull();

            for (int i = 0; i < warmup; i++) {
                call(direct, "w" + i);
                call(proxied, "w" + i);
            }
            long[] directNanos = new long[calls];
            long[] proxiedNanos = new long[calls];
            int blocks = 10;
            int perBlock = Math.max(1, calls / blocks);
            for (int done = 0; done < calls; done += perBlock) {
                int end = Math.min(calls, done + perBlock);
                time(direct, directNanos, done, end);
                time(proxied, proxiedNanos, done, end);
            }
            Arrays.sort(directNanos);
            Arrays.sort(proxiedNanos);
            long d50 = percentile(directNanos, 50);
            long d99 = percentile(directNanos, 99);
            long p50 = percentile(proxiedNanos, 50);
            long p99 = percentile(proxiedNanos, 99);
            double[] load = loadAverage();
            System.out.printf("grpc unary, %d calls each, one at a time, after %d warm-up calls (load average %.2f %.2f %.2f):%n"
                            + "  direct                       p50 %7.0f us  p99 %7.0f us%n"
                            + "  through two proxies (mTLS)   p50 %7.0f us  p99 %7.0f us%n"
                            + "  added by the proxies         p50 %7.0f us  p99 %7.0f us%n",
                    calls, warmup, load[0], load[1], load[2], d50 / 1e3, d99 / 1e3, p50 / 1e3, p99 / 1e3,
                    (p50 - d50) / 1e3, (p99 - d99) / 1e3);
            assertThat(p50).as("a proxied call takes longer than a direct one").isGreaterThan(d50);
        } finally {
            if (direct != null) direct.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            if (proxied != null) proxied.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            app.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static void time(ManagedChannel channel, long[] nanos, int from, int to) {
        for (int i = from; i < to; i++) {
            long start = System.nanoTime();
            call(channel, "m" + i);
            nanos[i] = System.nanoTime() - start;
        }
    }

    private static void call(ManagedChannel channel, String message) {
        String answer = ClientCalls.blockingUnaryCall(channel, GrpcIT.SAY, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), message);
        assertThat(answer).isEqualTo("echo: " + message);
    }

    private static long percentile(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1)];
    }

    private static double[] loadAverage() {
        try {
            String[] parts = java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ");
            return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2])};
        } catch (java.io.IOException e) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
    }
}
