package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.cluster;
import static dev.trellis.proxy.Snapshots.prefix;
import static dev.trellis.proxy.Snapshots.rule;
import static dev.trellis.proxy.Snapshots.snapshot;
import static dev.trellis.proxy.Snapshots.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.HeaderRewrite;
import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.WeightedCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Snapshots a hostile or careless tenant could produce: regexes that backtrack catastrophically in
 * java.util.regex, applied to a real proxy under load; and rewrites or endpoints that would break
 * the wire, which the proxy refuses.
 */
class HostileSnapshotsIT {
    /** Patterns that hold a backtracking engine for minutes or years on the inputs below; all are valid RE2. */
    static final List<String> PATHOLOGICAL = List.of("^/r3/(.*a){12}$", "(a|aa)+$", "(a+)+$", "(.*)*b", "(x+x+)+y",
            "(\\w+\\s?)*$", "(.*a){20}", "(a|a?)+b", "^(a?){25}a{25}$", "(/[^/]*)*x", "(.*){1,30}[bc]");
    static final List<String> HOSTILE_PATHS = List.of("/r3/" + "a".repeat(40) + "b", "/" + "a".repeat(1000) + "b",
            "/" + "x".repeat(1000) + "!", "/" + "a/".repeat(400) + "c", "/" + "a".repeat(25));
    /** The stated bound: p99 under attack at most this many times the baseline's p99, plus this slack for a shared machine. */
    static final double P99_FACTOR = 5;
    static final long P99_SLACK_MS = 50;

    static final TestBackend OK = TestBackend.start("ok");
    static final TestBackend TRAP = TestBackend.start("trap");
    final ProxyHarness proxy = SharedProxy.get();

    @BeforeEach
    void reset() {
        OK.reset();
        TRAP.reset();
    }

    @AfterAll
    static void stop() {
        OK.close();
        TRAP.close();
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void pathologicalRegexesDoNotSlowOtherRequestsOrStopTheProxy() throws Exception {
        RouteRule ok = rule("ok/0", prefix("/ok/"), "echo/ok");
        assertThat(proxy.apply(snapshot(List.of(upstream("echo", ok, rule("echo/default", Match.any(), "echo/trap"))),
                clusters())).applied()).isTrue();
        latencies(1000, 4, () -> proxy.request("http://echo/ok/warm-up").build(), null);
        long[] baseline = latencies(2000, 4, () -> proxy.request("http://echo/ok/1").build(), null);

        // Every pathological rule comes first, so every request, normal or hostile, is tested against all of them.
        List<RouteRule> rules = new ArrayList<>();
        for (int i = 0; i < PATHOLOGICAL.size(); i++) {
            String regex = PATHOLOGICAL.get(i);
            rules.add(rule("path/" + i, new Match(null, null, regex, List.of(), List.of(), List.of()), "echo/trap"));
            rules.add(rule("header/" + i, new Match(null, "/", null, List.of(),
                    List.of(new Match.HeaderMatch("x-a", null, null, regex, null)), List.of()), "echo/trap"));
            rules.add(rule("query/" + i, new Match(null, "/", null, List.of(), List.of(),
                    List.of(new Match.QueryMatch("q", null, regex, null))), "echo/trap"));
        }
        rules.add(ok);
        rules.add(rule("echo/default", Match.any(), "echo/trap"));
        assertThat(proxy.apply(snapshot(List.of(upstream("echo", rules.toArray(RouteRule[]::new))), clusters())).applied()).isTrue();

        AtomicBoolean attacking = new AtomicBoolean(true);
        AtomicInteger attacks = new AtomicInteger();
        ConcurrentLinkedQueue<Integer> attackStatuses = new ConcurrentLinkedQueue<>();
        Thread attacker = Thread.ofPlatform().start(() -> {
            int n = 0;
            while (attacking.get()) {
                String hostile = HOSTILE_PATHS.get(n++ % HOSTILE_PATHS.size());
                HttpResponse<String> r = proxy.send(proxy.request("http://echo" + hostile + "?q=" + hostile.substring(1),
                        "x-a", hostile.substring(1)).build());
                attackStatuses.add(r.statusCode());
                attacks.incrementAndGet();
            }
        });
        long[] underAttack;
        try {
            underAttack = latencies(2000, 4, () -> proxy.request("http://echo/ok/1").build(), attacks);
        } finally {
            attacking.set(false);
            attacker.join(30_000);
        }

        long baseP99 = percentile(baseline, 99);
        long attackP99 = percentile(underAttack, 99);
        System.out.printf("regex safety: baseline p50 %.2f ms p99 %.2f ms; under attack (%d hostile requests) p50 %.2f ms p99 %.2f ms%n",
                percentile(baseline, 50) / 1e6, baseP99 / 1e6, attacks.get(), percentile(underAttack, 50) / 1e6, attackP99 / 1e6);
        assertThat(attacks.get()).as("hostile requests answered while measuring").isGreaterThan(50);
        assertThat(attackStatuses).containsOnly(200);
        assertThat(TRAP.hits.get()).as("hostile requests reached the regex rules").isGreaterThan(0);
        assertThat(attackP99).isLessThanOrEqualTo((long) (baseP99 * P99_FACTOR) + P99_SLACK_MS * 1_000_000);
        assertThat(proxy.get("http://echo/ok/after").body()).isEqualTo("ok");
        assertThat(proxy.admin("/ready").statusCode()).isEqualTo(200);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void snapshotsThatCouldWedgeTheProxyOrBreakTheWireAreRefusedAndTheLastOneStays() {
        assertThat(proxy.apply(snapshot(List.of(upstream("echo", rule("echo/default", Match.any(), "echo/ok"))), clusters()))
                .applied()).isTrue();
        Map<String, Snapshot> refused = Map.of(
                "regex RE2 cannot run", withRule(new Match(null, null, "(a)\\1", List.of(), List.of(), List.of()), null),
                "regex too large", withRule(new Match(null, null, "(.*){1,32000}[bc]", List.of(), List.of(), List.of()), null),
                "CR/LF in a header value", withRule(Match.any(), new HeaderRewrite(Map.of("x-ok", "a\r\nX-Smuggled: 1"), null, null, null, null)),
                "a framing header set", withRule(Match.any(), new HeaderRewrite(Map.of("content-length", "5"), null, null, null, null)),
                "a framing header removed", withRule(Match.any(), new HeaderRewrite(null, List.of("transfer-encoding"), null, null, null)),
                "a response header name with a space", withRule(Match.any(), new HeaderRewrite(null, null, Map.of("a b", "1"), null, null)),
                "a prefix rewrite with a query", withRule(prefix("/"), new HeaderRewrite(null, null, null, null, "/x?y")),
                "an endpoint with CR/LF", snapshot(List.of(upstream("echo", rule("echo/default", Match.any(), "echo/ok"))),
                        List.of(endpointCluster("1.2.3.4\r\nX-Injected: 1"))),
                "a metadata endpoint", snapshot(List.of(upstream("echo", rule("echo/default", Match.any(), "echo/ok"))),
                        List.of(endpointCluster("169.254.169.254"))));
        refused.forEach((what, snapshot) -> assertThat(proxy.apply(snapshot).applied()).as(what).isFalse());

        HttpResponse<String> after = proxy.get("http://echo/still");
        assertThat(after.body()).isEqualTo("ok");
        TestBackend.Seen seen = OK.seen().getLast();
        assertThat(seen.header("X-Smuggled")).isNull();
        assertThat(seen.headers().containsKey("Content-Length") && seen.headers().containsKey("Transfer-Encoding")).isFalse();
    }

    private Snapshot withRule(Match match, HeaderRewrite rewrite) {
        RouteRule rule = new RouteRule("hostile/0", match, List.of(new WeightedCluster("echo/ok", 1)), 0, null, null, rewrite, null, null);
        return snapshot(List.of(upstream("echo", rule)), clusters());
    }

    private static Cluster endpointCluster(String address) {
        return new Cluster("echo/ok", "echo", null, "spiffe://tenant-1/ns/shop/sa/echo", false, Cluster.LoadBalancer.ROUND_ROBIN,
                List.of(new Cluster.Endpoint(address, 80)), null, null);
    }

    private static List<Cluster> clusters() {
        return List.of(cluster("echo/ok", OK), cluster("echo/trap", TRAP));
    }

    /**
     * Sends {@code count} requests, {@code concurrency} at a time, and returns their latencies in
     * nanoseconds, sorted; every answer must be 200. With {@code until}, keeps going past
     * {@code count} until at least 60 more hostile requests have been answered, so the two overlap.
     */
    private long[] latencies(int count, int concurrency, Supplier<HttpRequest> next, AtomicInteger until) {
        Semaphore slots = new Semaphore(concurrency);
        ConcurrentLinkedQueue<Long> nanos = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<?>> futures = new ArrayList<>();
        int floor = until == null ? 0 : until.get() + 60;
        for (int i = 0; i < count || (until != null && until.get() < floor && i < count * 10); i++) {
            slots.acquireUninterruptibly();
            long start = System.nanoTime();
            futures.add(proxy.client.sendAsync(next.get(), HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
                slots.release();
                if (e == null && r.statusCode() == 200) nanos.add(System.nanoTime() - start);
                else nanos.add(Long.MAX_VALUE);
            }));
        }
        futures.forEach(CompletableFuture::join);
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        assertThat(sorted[sorted.length - 1]).as("every normal request answered 200").isLessThan(Long.MAX_VALUE);
        return sorted;
    }

    private static long percentile(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1)];
    }
}
