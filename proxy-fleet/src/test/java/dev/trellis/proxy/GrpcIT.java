package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.rule;
import static dev.trellis.proxy.Snapshots.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.compiler.snapshot.Inbound;
import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.Upstream;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
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
 * gRPC through two proxies with a real grpc-java client and server: the client's proxy takes h2c
 * from it, the server's proxy speaks h2c to the app (its inbound protocol is grpc), and between
 * them the calls cross as HTTP/1.1 with trailers. Unary, server-streaming and bidirectional calls
 * work, and a non-OK {@code grpc-status} reaches the client as the server sent it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrpcIT {
    static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    static final MethodDescriptor<String, String> SAY = method("Say", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> FAIL = method("Fail", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> COUNT = method("Count", MethodDescriptor.MethodType.SERVER_STREAMING);
    static final MethodDescriptor<String, String> CHAT = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);
    static final MethodDescriptor<String, String> SLOW = method("Slow", MethodDescriptor.MethodType.UNARY);

    static Server app;
    static ProxyHarness serverSide;
    static ManagedChannel channel;

    static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder().setType(type).setFullMethodName("trellis.Echo/" + name)
                .setRequestMarshaller(TEXT).setResponseMarshaller(TEXT).build();
    }

    @BeforeAll
    static void start() throws IOException {
        app = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(ServerServiceDefinition.builder("trellis.Echo")
                        .addMethod(SAY, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> out) -> {
                            out.onNext("echo: " + request);
                            out.onCompleted();
                        }))
                        .addMethod(FAIL, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> out) ->
                                out.onError(Status.NOT_FOUND.withDescription("no " + request).asRuntimeException())))
                        .addMethod(SLOW, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> out) -> {
                            try {
                                Thread.sleep(3000);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            out.onNext("late");
                            out.onCompleted();
                        }))
                        .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((String request, StreamObserver<String> out) -> {
                            for (int i = 1; i <= Integer.parseInt(request); i++) out.onNext("n" + i);
                            out.onCompleted();
                        }))
                        .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall((StreamObserver<String> out) -> new StreamObserver<>() {
                            @Override
                            public void onNext(String value) {
                                out.onNext("echo: " + value);
                            }

                            @Override
                            public void onError(Throwable t) {
                            }

                            @Override
                            public void onCompleted() {
                                out.onCompleted();
                            }
                        }))
                        .build())
                .build().start();
        serverSide = new ProxyHarness(app.getPort(), ProxyHarness.tempDir("grpc-server"));
        Inbound grpcInbound = new Inbound("grpc", app.getPort(), new AccessControl(AccessControl.Action.ALLOW, List.of()), null, null);
        assertThat(serverSide.apply(snapshot(grpcInbound, List.of(), List.of())).applied()).isTrue();
        Upstream echo = new Upstream("echo", List.of("echo", "echo." + Snapshots.MESH), "grpc", 8080,
                List.of(rule("echo/default", Match.any(), "echo/server-proxy")));
        assertThat(SharedProxy.get().apply(snapshot(List.of(echo),
                List.of(Snapshots.cluster("echo/server-proxy", serverSide.inboundPort)))).applied()).isTrue();
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", SharedProxy.get().outboundPort, InsecureChannelCredentials.create())
                .overrideAuthority("echo").build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        serverSide.close();
        app.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Test
    void unaryCallsGoThroughTwoProxies() {
        for (int i = 0; i < 20; i++) {
            assertThat(ClientCalls.blockingUnaryCall(channel, SAY, options(), "hello " + i)).isEqualTo("echo: hello " + i);
        }
    }

    @Test
    void aServerStreamArrivesWhole() {
        Iterator<String> answers = ClientCalls.blockingServerStreamingCall(channel, COUNT, options(), "50");
        List<String> all = new ArrayList<>();
        answers.forEachRemaining(all::add);
        assertThat(all).hasSize(50).startsWith("n1", "n2").endsWith("n50");
    }

    @Test
    void aBidirectionalStreamFlowsBothWays() throws Exception {
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(CHAT, options()), new StreamObserver<>() {
            @Override
            public void onNext(String value) {
                received.add(value);
            }

            @Override
            public void onError(Throwable t) {
                received.add(t);
            }

            @Override
            public void onCompleted() {
                received.add("done");
            }
        });
        for (int i = 0; i < 5; i++) {
            requests.onNext("m" + i);
            assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("echo: m" + i); // answered before the call ends
        }
        requests.onCompleted();
        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("done");
    }

    @Test
    void theProxyHonoursGrpcTimeoutAndAnswersDeadlineExceeded() throws Exception {
        // curl as the gRPC client, so the deadline can only be the proxy's: one length-prefixed message, 300 ms.
        java.nio.file.Path message = java.nio.file.Files.createTempFile("grpc-message", ".bin");
        java.nio.file.Files.write(message, new byte[] {0, 0, 0, 0, 2, 'h', 'i'});
        long start = System.nanoTime();
        Process curl = new ProcessBuilder("curl", "-s", "--http2-prior-knowledge", "--connect-to",
                "echo:80:127.0.0.1:" + SharedProxy.get().outboundPort, "-D", "-", "-o", "/dev/null",
                "-H", "content-type: application/grpc", "-H", "te: trailers", "-H", "grpc-timeout: 300m",
                "--data-binary", "@" + message, "http://echo/trellis.Echo/Slow").start();
        String headers = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(20, TimeUnit.SECONDS)).isTrue();
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(headers).startsWith("HTTP/2 200").contains("grpc-status: 4").contains("x-trellis-error: timeout");
        assertThat(elapsedMs).isLessThan(2500); // the server would have answered after 3 s
    }

    @Test
    void aNonOkStatusReachesTheClientAsSent() {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, FAIL, options(), "thing"))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo("no thing");
                });
    }
}
