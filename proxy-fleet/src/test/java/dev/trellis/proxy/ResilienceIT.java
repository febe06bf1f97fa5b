package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.cluster;
import static dev.trellis.proxy.Snapshots.snapshot;
import static dev.trellis.proxy.Snapshots.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import dev.trellis.compiler.snapshot.CircuitBreaker;
import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.OutlierDetection;
import dev.trellis.compiler.snapshot.Retry;
import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.WeightedCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retries, budgets, timeouts, circuit breaking, outlier ejection and load balancing against real upstreams. */
class ResilienceIT {
    static final TestBackend A = TestBackend.start("a");
    static final TestBackend B = TestBackend.start("b");
    final ProxyHarness proxy = SharedProxy.get();

    @BeforeEach
    void reset() {
        A.reset();
        B.reset();
    }

    @AfterAll
    static void stop() {
        A.close();
        B.close();
    }

    private void route(Retry retry, long timeoutMs, Cluster cluster) {
        RouteRule rule = new RouteRule("echo/0", Match.any(), List.of(new WeightedCluster(cluster.name(), 1)), timeoutMs, retry,
                null, null, null, null);
        assertThat(proxy.apply(snapshot(List.of(upstream("echo", rule)), List.of(cluster))).applied()).isTrue();
    }

    private List<HttpResponse<String>> send(int count, int concurrency) {
        return proxy.sendMany(count, concurrency, () -> proxy.request("http://echo/r").build());
    }

    private static double successPercent(List<HttpResponse<String>> responses) {
        return responses.stream().filter(r -> r.statusCode() == 200).count() * 100.0 / responses.size();
    }

    /**
     * Fails 30% of the requests it receives, 3 in every 10 and never two in a row. (With failures
     * independent per attempt, 3 attempts could give at most 1 - 0.3³ = 97.3%.) Sent one at a time,
     * so the pattern is the one the upstream sees.
     */
    private static TestBackend.Behaviour thirtyPercentFailing() {
        return (hit, exchange) -> new TestBackend.Reply(hit % 10 == 0 || hit % 10 == 3 || hit % 10 == 6 ? 503 : 200, 0);
    }

    @Test
    void retriesTurnThirtyPercentFailuresIntoAtLeast99PercentSuccess() {
        A.behave(thirtyPercentFailing());
        route(null, 0, cluster("echo/once", A));
        double withoutRetries = successPercent(send(300, 1));

        A.reset().behave(thirtyPercentFailing());
        route(new Retry(3, 0, List.of("5xx"), 1, 10, 50), 0, cluster("echo/retried", A));
        double withRetries = successPercent(send(600, 1));

        assertThat(withoutRetries).isBetween(60.0, 80.0);
        assertThat(withRetries).isGreaterThanOrEqualTo(99.0);
    }

    @Test
    void budgetKeepsRetriesUnderItsShareWhenTheUpstreamFailsEverything() {
        A.behave((hit, exchange) -> new TestBackend.Reply(503, 0));
        route(new Retry(3, 0, List.of("5xx"), 0, 0, 20), 0, cluster("echo/budget", A));

        List<HttpResponse<String>> responses = send(300, 8);

        assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(503));
        int retries = A.hits.get() - 300;
        // 20% of 300 requests, plus the budget's reserve of 10; without a budget there would be 600.
        assertThat(retries).isPositive().isLessThanOrEqualTo(60 + 11);
    }

    @Test
    void perTryTimeoutRetriesASlowAttempt() {
        A.behave((hit, exchange) -> new TestBackend.Reply(200, hit == 0 ? 1000 : 0));
        route(new Retry(2, 150, List.of("5xx"), 0, 0, 0), 0, cluster("echo/per-try", A));

        long start = System.nanoTime();
        HttpResponse<String> response = proxy.get("http://echo/slow-once");
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(A.hits.get()).isEqualTo(2);
        assertThat(elapsedMs).isLessThan(900);
    }

    @Test
    void overallTimeoutAnswers504() {
        A.behave((hit, exchange) -> new TestBackend.Reply(200, 800));
        route(null, 200, cluster("echo/overall", A));

        long start = System.nanoTime();
        HttpResponse<String> response = proxy.get("http://echo/too-slow");
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(response.headers().firstValue("x-trellis-error")).hasValue("timeout");
        assertThat(elapsedMs).isLessThan(700);
    }

    @Test
    void circuitBreakerOpensShedsWith503AndClosesAgain() throws Exception {
        A.behave((hit, exchange) -> new TestBackend.Reply(500, 0));
        route(null, 0, cluster("echo/breaker", Cluster.LoadBalancer.ROUND_ROBIN,
                new CircuitBreaker(50, 0, 100, 5, 10, 400, 0), null, A));

        List<HttpResponse<String>> first = send(10, 1);
        int hitsWhenOpen = A.hits.get();
        List<HttpResponse<String>> shed = send(20, 4);

        assertThat(first.getFirst().statusCode()).isEqualTo(500);
        assertThat(hitsWhenOpen).isLessThan(10);
        assertThat(shed).allSatisfy(r -> {
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("x-trellis-error")).hasValue("circuit-open");
        });
        assertThat(A.hits.get()).isEqualTo(hitsWhenOpen);

        A.behave((hit, exchange) -> TestBackend.Reply.ok());
        Thread.sleep(500);
        assertThat(send(10, 1)).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
    }

    @Test
    void outlierIsEjectedWhileStillListedAndComesBack() throws Exception {
        B.behave((hit, exchange) -> new TestBackend.Reply(500, 0));
        route(null, 0, cluster("echo/outlier", Cluster.LoadBalancer.ROUND_ROBIN, null,
                new OutlierDetection(3, 500, 50), A, B));

        send(40, 1);
        assertThat(B.hits.get()).isEqualTo(3);

        Thread.sleep(600);
        send(10, 1);
        assertThat(B.hits.get()).isGreaterThan(3);
    }

    @Test
    void roundRobinAlternates() {
        route(null, 0, cluster("echo/rr", A, B));

        Map<String, Long> counts = RoutingIT.count(send(40, 1));

        assertThat(counts).containsEntry("a", 20L).containsEntry("b", 20L);
    }

    @Test
    void peakEwmaSendsATenTimesSlowerEndpointAtMostOneFifth() {
        A.behave((hit, exchange) -> new TestBackend.Reply(200, 5));
        B.behave((hit, exchange) -> new TestBackend.Reply(200, 50));
        route(null, 0, cluster("echo/ewma", Cluster.LoadBalancer.EWMA, null, null, A, B));
        Map<String, Long> ewma = RoutingIT.count(send(400, 8));

        A.reset().behave((hit, exchange) -> new TestBackend.Reply(200, 5));
        B.reset().behave((hit, exchange) -> new TestBackend.Reply(200, 50));
        route(null, 0, cluster("echo/least", Cluster.LoadBalancer.LEAST_REQUEST, null, null, A, B));
        Map<String, Long> leastRequest = RoutingIT.count(send(400, 8));

        assertThat(ewma.getOrDefault("b", 0L)).isLessThanOrEqualTo(80);
        assertThat(leastRequest.getOrDefault("b", 0L)).isLessThan(200);
    }
}
