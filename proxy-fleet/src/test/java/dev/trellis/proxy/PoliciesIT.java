package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.cluster;
import static dev.trellis.proxy.Snapshots.snapshot;
import static dev.trellis.proxy.Snapshots.upstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import dev.trellis.compiler.snapshot.Fault;
import dev.trellis.compiler.snapshot.HeaderRewrite;
import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.Mirror;
import dev.trellis.compiler.snapshot.RateLimit;
import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.WeightedCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rate limits, faults, rewrites, mirroring, trace context and metrics, through the real proxy. */
class PoliciesIT {
    static final TestBackend A = TestBackend.start("a");
    static final TestBackend SHADOW = TestBackend.start("shadow");
    final ProxyHarness proxy = SharedProxy.get();

    @BeforeEach
    void reset() {
        A.reset();
        SHADOW.reset();
    }

    @AfterAll
    static void stop() {
        A.close();
        SHADOW.close();
    }

    private void route(Match match, Fault fault, HeaderRewrite headers, Mirror mirror, RateLimit rateLimit) {
        RouteRule rule = new RouteRule("policies/0", match, List.of(new WeightedCluster("echo/a", 1)), 0, null, fault, headers,
                mirror, rateLimit);
        assertThat(proxy.apply(snapshot(List.of(upstream("echo", rule)),
                List.of(cluster("echo/a", A), cluster("echo/shadow", SHADOW)))).applied()).isTrue();
    }

    @Test
    void rateLimitAnswers429WithRetryAfter() {
        route(Match.any(), null, null, null, new RateLimit(1, 5));

        List<HttpResponse<String>> responses = proxy.sendMany(12, 1, () -> proxy.request("http://echo/limited").build());

        Map<Integer, Long> byStatus = RoutingIT.countBy(responses, HttpResponse::statusCode);
        assertThat(byStatus.get(200)).isBetween(5L, 6L);
        HttpResponse<String> limited = responses.getLast();
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(A.hits.get()).isEqualTo(byStatus.get(200).intValue());
    }

    @Test
    void faultsAbortAndDelayTheConfiguredShares() {
        route(Match.any(), new Fault(0, 0, 503, 25), null, null, null);
        List<HttpResponse<String>> aborted = proxy.sendMany(2000, 16, () -> proxy.request("http://echo/fault").build());
        long aborts = aborted.stream().filter(r -> r.headers().firstValue("x-trellis-fault").isPresent()).count();
        assertThat(aborts * 100.0 / 2000).isBetween(22.0, 28.0);
        assertThat(aborted.stream().filter(r -> r.statusCode() == 503).count()).isEqualTo(aborts);

        route(Match.any(), new Fault(200, 50, 0, 0), null, null, null);
        long slow = 0;
        for (int i = 0; i < 40; i++) {
            long start = System.nanoTime();
            assertThat(proxy.get("http://echo/delay").statusCode()).isEqualTo(200);
            if ((System.nanoTime() - start) / 1_000_000 >= 190) slow++;
        }
        assertThat(slow).isBetween(8L, 32L);
    }

    @Test
    void rewritesHeadersAndPathPrefix() {
        HeaderRewrite rewrite = new HeaderRewrite(Map.of("x-added", "yes"), List.of("x-secret"), Map.of("x-served-by", "trellis"),
                List.of("x-backend"), "/v2/");
        route(Snapshots.prefix("/v1/"), null, rewrite, null, null);

        HttpResponse<String> response = proxy.get("http://echo/v1/items?id=3", "x-secret", "s3cr3t");

        TestBackend.Seen seen = A.seen().getLast();
        assertThat(seen.uri()).isEqualTo("/v2/items?id=3");
        assertThat(seen.header("x-added")).isEqualTo("yes");
        assertThat(seen.header("x-secret")).isNull();
        assertThat(response.headers().firstValue("x-served-by")).hasValue("trellis");
        assertThat(response.headers().firstValue("x-backend")).isEmpty();
    }

    @Test
    void mirrorsTheConfiguredShareWithoutAffectingTheCaller() {
        SHADOW.behave((hit, exchange) -> new TestBackend.Reply(500, 50));
        route(Match.any(), null, null, new Mirror("echo/shadow", 50), null);

        List<HttpResponse<String>> responses = proxy.sendMany(400, 8, () -> proxy.request("http://echo/mirrored").build());

        assertThat(responses).allSatisfy(r -> assertThat(r.body()).isEqualTo("a"));
        await().atMost(Duration.ofSeconds(3)).until(() -> SHADOW.hits.get() >= 150);
        assertThat(SHADOW.hits.get()).isBetween(150, 250);
        assertThat(SHADOW.seen().getFirst().header("Host")).isEqualTo("echo-shadow");
    }

    @Test
    void propagatesOrCreatesTraceparent() {
        route(Match.any(), null, null, null, null);
        String incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

        proxy.get("http://echo/traced", "traceparent", incoming);
        proxy.get("http://echo/untraced");

        List<TestBackend.Seen> seen = A.seen();
        String propagated = seen.get(0).header("traceparent");
        assertThat(propagated).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").endsWith("-01").isNotEqualTo(incoming);
        assertThat(seen.get(1).header("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    }

    @Test
    void exposesPerRouteMetricsInPrometheusFormat() {
        route(Match.any(), new Fault(0, 0, 500, 50), null, null, null);
        proxy.sendMany(100, 4, () -> proxy.request("http://echo/metered").build());

        String metrics = proxy.admin("/metrics").body();

        long ok = counter(metrics, "2xx");
        long failed = counter(metrics, "5xx");
        assertThat(ok + failed).isGreaterThanOrEqualTo(100);
        assertThat(ok).isPositive();
        assertThat(failed).isPositive();
        assertThat(metrics).containsPattern("trellis_requests_seconds_bucket\\{[^}]*route=\"policies/0\"[^}]*le=\"0\\.1");

        // A snapshot without that route takes its meters with it; the route that replaces it is counted.
        RouteRule renamed = new RouteRule("policies/renamed", Match.any(), List.of(new WeightedCluster("echo/a", 1)), 0,
                null, null, null, null, null);
        assertThat(proxy.apply(snapshot(List.of(upstream("echo", renamed)), List.of(cluster("echo/a", A)))).applied()).isTrue();
        proxy.sendMany(3, 1, () -> proxy.request("http://echo/metered").build());
        String after = proxy.admin("/metrics").body();
        assertThat(after).doesNotContain("route=\"policies/0\"").contains("route=\"policies/renamed\"");
    }

    private static long counter(String metrics, String statusClass) {
        var m = Pattern.compile("trellis_requests_seconds_count\\{[^}]*route=\"policies/0\",service=\"echo\",status_class=\""
                + statusClass + "\"} ([0-9.]+)").matcher(metrics);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }
}
