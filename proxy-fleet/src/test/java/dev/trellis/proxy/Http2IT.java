package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.cluster;
import static dev.trellis.proxy.Snapshots.snapshot;
import static dev.trellis.proxy.Snapshots.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.Retry;
import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.WeightedCluster;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * h2c from the app with prior knowledge: many requests on one HTTP/2 connection (Netty's HTTP/2
 * client), each routed, balanced and retried on its own (per request, not per connection); and
 * real curl. (curl 7.88's own reuse of a prior-knowledge connection fails before it sends the
 * second request, so curl is used for one request per connection.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Http2IT {
    static final TestBackend A = TestBackend.start("a");
    static final TestBackend B = TestBackend.start("b");
    final ProxyHarness proxy = SharedProxy.get();

    @BeforeEach
    void route() {
        List.of(A, B).forEach(TestBackend::reset);
        RouteRule rule = new RouteRule("echo/0", Match.any(), List.of(new WeightedCluster("echo/ab", 1)), 0,
                new Retry(2, 0, List.of("5xx"), 0, 0, 0), null, null, null, null); // no budget: every stream may retry
        assertThat(proxy.apply(snapshot(List.of(upstream("echo", rule)), List.of(cluster("echo/ab", A, B)))).applied()).isTrue();
    }

    @AfterAll
    static void stop() {
        List.of(A, B).forEach(TestBackend::close);
    }

    @Test
    void requestsOnOneConnectionAreBalancedEachOnItsOwn() {
        try (H2cClient h2 = new H2cClient(proxy.outboundPort)) {
            List<H2cClient.Answer> answers = new ArrayList<>();
            for (int i = 0; i < 10; i++) answers.add(h2.send(HttpMethod.GET, "echo", "/r" + i, null).join());

            assertThat(answers).allSatisfy(answer -> assertThat(answer.status()).isEqualTo(200));
            assertThat(answers.stream().map(H2cClient.Answer::connection).distinct()).hasSize(1);
            assertThat(answers.stream().map(H2cClient.Answer::body)).containsOnly("a", "b");
        }
        assertThat(A.hits.get()).isEqualTo(5);
        assertThat(B.hits.get()).isEqualTo(5);
        // A stream that ended with its headers still lets its upstream connection serve the next request.
        assertThat(A.callerPorts).hasSize(1);
        assertThat(B.callerPorts).hasSize(1);
        assertThat(A.seen().getFirst().header("Host")).isEqualTo("echo");
        assertThat(A.seen().getFirst().headers().keySet()).noneMatch(name -> name.toLowerCase().startsWith("x-http2"));
    }

    @Test
    void concurrentStreamsAreRetriedEachOnItsOwn() {
        // The first try of every path fails, slowly, wherever it lands: each stream must be retried by itself.
        java.util.Set<String> tried = java.util.concurrent.ConcurrentHashMap.newKeySet();
        TestBackend.Behaviour firstTryFails = (hit, exchange) ->
                tried.add(exchange.getRequestURI().getPath()) ? new TestBackend.Reply(503, 200) : TestBackend.Reply.ok();
        A.behave(firstTryFails);
        B.behave(firstTryFails);
        try (H2cClient h2 = new H2cClient(proxy.outboundPort)) {
            List<CompletableFuture<H2cClient.Answer>> pending = new ArrayList<>();
            for (int i = 0; i < 20; i++) pending.add(h2.send(HttpMethod.GET, "echo", "/p" + i, null));
            List<H2cClient.Answer> answers = pending.stream().map(CompletableFuture::join).toList();

            assertThat(answers).allSatisfy(answer -> assertThat(answer.status()).isEqualTo(200));
            assertThat(answers.stream().map(H2cClient.Answer::connection).distinct()).hasSize(1);
        }
        assertThat(A.hits.get() + B.hits.get()).isEqualTo(40); // each of the 20 streams tried twice
    }

    @Test
    void curlWithPriorKnowledgeGetsAnHttp2Answer() throws Exception {
        Process curl = new ProcessBuilder("curl", "-s", "--http2-prior-knowledge", "--connect-to",
                "echo:80:127.0.0.1:" + proxy.outboundPort, "-w", "%{http_version} %{http_code}", "-o", "/dev/null",
                "http://echo/hello").start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo("2 200");
    }

    @Test
    void aRequestBodyGoesThroughOnAStream() throws Exception {
        Process curl = new ProcessBuilder("curl", "-s", "--http2-prior-knowledge", "--connect-to",
                "echo:80:127.0.0.1:" + proxy.outboundPort, "--data-binary", "hello over h2", "-w", "%{http_version} %{http_code}",
                "-o", "/dev/null", "http://echo/upload").start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo("2 200");
        TestBackend.Seen seen = A.seen().isEmpty() ? B.seen().getFirst() : A.seen().getFirst();
        assertThat(new String(seen.body(), StandardCharsets.UTF_8)).isEqualTo("hello over h2");
        assertThat(seen.method()).isEqualTo("POST");
    }
}
