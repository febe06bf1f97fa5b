package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.cluster;
import static dev.trellis.proxy.Snapshots.prefix;
import static dev.trellis.proxy.Snapshots.rule;
import static dev.trellis.proxy.Snapshots.snapshot;
import static dev.trellis.proxy.Snapshots.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.WeightedCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Matching, weighted splits, inbound and outbound listeners, with real HTTP both sides of the proxy. */
class RoutingIT {
    static final TestBackend A = TestBackend.start("a");
    static final TestBackend B = TestBackend.start("b");
    static final TestBackend C = TestBackend.start("c");
    final ProxyHarness proxy = SharedProxy.get();

    @BeforeEach
    void reset() {
        List.of(A, B, C, SharedProxy.APP).forEach(TestBackend::reset);
    }

    @AfterAll
    static void stop() {
        List.of(A, B, C).forEach(TestBackend::close);
    }

    @Test
    void matchesPathMethodHeadersAndQueryInRuleOrder() {
        Match exact = new Match("/exact", null, null, List.of(), List.of(), List.of());
        Match regex = new Match(null, null, "/items/[0-9]+", List.of(), List.of(), List.of());
        Match post = new Match(null, "/", null, List.of("POST"), List.of(), List.of());
        Match header = new Match(null, "/", null, List.of(), List.of(new Match.HeaderMatch("x-canary", "1", null, null, null)), List.of());
        Match query = new Match(null, "/", null, List.of(), List.of(), List.of(new Match.QueryMatch("v", "2", null, null)));
        Match api = prefix("/api/");
        proxy.apply(snapshot(List.of(upstream("echo",
                        rule("r/0", exact, "echo/a"), rule("r/1", regex, "echo/b"), rule("r/2", post, "echo/c"),
                        rule("r/3", header, "echo/b"), rule("r/4", query, "echo/c"), rule("r/5", api, "echo/b"),
                        rule("echo/default", Match.any(), "echo/a"))),
                List.of(cluster("echo/a", A), cluster("echo/b", B), cluster("echo/c", C))));

        assertThat(proxy.get("http://echo/exact").body()).isEqualTo("a");
        assertThat(proxy.get("http://echo/exact/more").body()).isEqualTo("a"); // falls to the default
        assertThat(proxy.get("http://echo/items/42").body()).isEqualTo("b");
        assertThat(proxy.get("http://echo/items/4x2").body()).isEqualTo("a");
        assertThat(proxy.send(proxy.request("http://echo/x").POST(HttpRequest.BodyPublishers.ofString("hello")).build()).body())
                .isEqualTo("c");
        assertThat(C.seen().getFirst().body()).asString().isEqualTo("hello");
        assertThat(proxy.get("http://echo/x", "x-canary", "1").body()).isEqualTo("b");
        assertThat(proxy.get("http://echo/x", "x-canary", "2").body()).isEqualTo("a");
        assertThat(proxy.get("http://echo/x?v=2").body()).isEqualTo("c");
        assertThat(proxy.get("http://echo/x?v=3").body()).isEqualTo("a");
        assertThat(proxy.get("http://echo/api/users").body()).isEqualTo("b");
        assertThat(proxy.get("http://echo.shop/api/users").body()).isEqualTo("b");
        assertThat(B.seen().getLast().uri()).isEqualTo("/api/users");
        assertThat(B.seen().getLast().header("Host")).isEqualTo("echo.shop");
    }

    @Test
    void unknownHostIsNotFoundWithReason() {
        proxy.apply(snapshot(List.of(upstream("echo", rule("echo/default", Match.any(), "echo/a"))),
                List.of(cluster("echo/a", A))));

        HttpResponse<String> response = proxy.get("http://elsewhere/x");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("x-trellis-error")).isPresent();
        assertThat(A.hits.get()).isZero();
    }

    @Test
    void weightedSplitLandsWithinThreePointsOver5000Requests() {
        RouteRule split = new RouteRule("canary/0", Match.any(),
                List.of(new WeightedCluster("echo/a", 90), new WeightedCluster("echo/b", 10)), 0, null, null, null, null, null);
        proxy.apply(snapshot(List.of(upstream("echo", split)), List.of(cluster("echo/a", A), cluster("echo/b", B))));

        List<HttpResponse<String>> responses = proxy.sendMany(5000, 32, () -> proxy.request("http://echo/split").build());

        Map<String, Long> byBackend = responses.stream().collect(Collectors.groupingBy(HttpResponse::body, Collectors.counting()));
        assertThat(byBackend.keySet()).containsExactlyInAnyOrder("a", "b");
        double shareOfB = byBackend.get("b") * 100.0 / 5000;
        assertThat(shareOfB).isBetween(7.0, 13.0);
    }

    @Test
    void inboundListenerForwardsToTheApp() throws Exception {
        proxy.apply(snapshot(List.of(upstream("echo", rule("echo/default", Match.any(), "echo/a"))),
                List.of(cluster("echo/a", A))));

        HttpResponse<String> response = proxy.direct.send(
                HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + proxy.inboundPort + "/hello?x=1")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.body()).isEqualTo("app");
        assertThat(SharedProxy.APP.seen().getLast().uri()).isEqualTo("/hello?x=1");
        assertThat(A.hits.get()).isZero();
    }

    @Test
    void answersPipelinedRequestsInOrderAndKeepsHttpSemantics() throws Exception {
        proxy.apply(snapshot(List.of(upstream("slow", rule("slow/default", Match.any(), "slow/a")),
                        upstream("fast", rule("fast/default", Match.any(), "fast/b"))),
                List.of(cluster("slow/a", A), cluster("fast/b", B))));
        A.behave((hit, exchange) -> new TestBackend.Reply(200, 300));
        B.behave((hit, exchange) -> new TestBackend.Reply(exchange.getRequestMethod().equals("DELETE") ? 204 : 200, 0));

        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", proxy.outboundPort)) {
            socket.setSoTimeout(5000);
            // Three requests in one write: the slow one first, then a POST with a body (and a header its
            // Connection header names as hop-by-hop), then a 204.
            String pipelined = "GET /first HTTP/1.1\r\nHost: slow\r\n\r\n"
                    + "POST /second HTTP/1.1\r\nHost: fast\r\nConnection: x-hop\r\nX-Hop: 1\r\nContent-Length: 5\r\n\r\nhello"
                    + "DELETE /third HTTP/1.1\r\nHost: fast\r\n\r\n";
            socket.getOutputStream().write(pipelined.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            var in = RawHttp.reader(socket);
            List<String> first = RawHttp.readResponse(in);
            List<String> second = RawHttp.readResponse(in);
            List<String> third = RawHttp.readResponse(in);

            assertThat(first).first().isEqualTo("HTTP/1.1 200 OK");
            assertThat(first).contains("x-backend: a").last().isEqualTo("a");
            assertThat(second).contains("x-backend: b", "content-length: 1").last().isEqualTo("b");
            assertThat(third).first().isEqualTo("HTTP/1.1 204 No Content");
            assertThat(third).noneMatch(line -> line.startsWith("content-length"));
        }
        assertThat(new String(B.seen().getFirst().body())).isEqualTo("hello");
        assertThat(B.seen().getFirst().method()).isEqualTo("POST");
        // Connection and the headers it names belong to the caller's connection, not to the request.
        assertThat(B.seen().getFirst().header("X-Hop")).isNull();
        assertThat(B.seen().getFirst().header("Connection")).isNull();
    }

    @Test
    void streamsChunkedBodiesAsChunksAndAnswersExpectContinue() throws Exception {
        proxy.apply(snapshot(List.of(upstream("echo", rule("echo/default", Match.any(), "echo/a"))),
                List.of(cluster("echo/a", A))));

        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", proxy.outboundPort)) {
            socket.setSoTimeout(10_000);
            var in = RawHttp.reader(socket);
            RawHttp.send(socket, "POST /chunks HTTP/1.1\r\nHost: echo\r\nExpect: 100-continue\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            assertThat(RawHttp.readResponse(in)).first().isEqualTo("HTTP/1.1 100 Continue");
            RawHttp.send(socket, "5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n");
            assertThat(RawHttp.readResponse(in)).first().isEqualTo("HTTP/1.1 200 OK");
        }
        TestBackend.Seen seen = A.seen().getFirst();
        assertThat(new String(seen.body())).isEqualTo("hello world");
        // Streamed: the proxy does not wait for the whole body to learn its length.
        assertThat(seen.header("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(seen.header("Content-Length")).isNull();
        assertThat(seen.header("Expect")).isNull();
    }

    static Map<String, Long> count(List<HttpResponse<String>> responses) {
        return responses.stream().collect(Collectors.groupingBy(HttpResponse::body, Collectors.counting()));
    }

    static <T> Map<T, Long> countBy(List<HttpResponse<String>> responses, Function<HttpResponse<String>, T> key) {
        return responses.stream().collect(Collectors.groupingBy(key, Collectors.counting()));
    }
}
