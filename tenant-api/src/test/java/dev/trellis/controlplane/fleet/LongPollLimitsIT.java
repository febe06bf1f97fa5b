package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.access.MintedCredential;
import dev.trellis.controlplane.database.TenantTransactions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Held long polls are bounded (issue 11 §3): one per proxy (a second poll replaces the first,
 * which is answered 304 at once) and {@code trellis.fleet.max-polls-per-tenant} per tenant (20 in
 * the tests' configuration; beyond it 429), so one tenant's flood of polls does not slow another
 * tenant's reads. Polls are held 2 s in tests.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "trellis.operator-key=it-operator-key-0123456789",
        "trellis.home=target/it-home"})
@Timeout(120)
class LongPollLimitsIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;
    @Autowired
    ConfigLongPoll polls;
    @Autowired
    TenantTransactions transactions;
    @Autowired
    JdbcClient jdbc;

    private record TestTenant(String id, String key) {
    }

    @Test
    void aSecondPollOfTheSameProxyReplacesTheFirst() throws Exception {
        TestTenant tenant = tenantWithMesh();
        MintedCredential proxy = proxy(tenant.id());
        CompletableFuture<HttpResponse<String>> first = poll(proxy.token());
        await(() -> polls.held(tenant.id()) == 1);
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<String>> second = poll(proxy.token());
        HttpResponse<String> replaced = first.get(10, TimeUnit.SECONDS);
        assertThat(replaced.statusCode()).isEqualTo(304);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("answered at once, not after the 2 s hold")
                .isLessThan(Duration.ofMillis(1500));
        assertThat(polls.held(tenant.id())).isEqualTo(1);
        assertThat(second.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(304);
        await(() -> polls.held(tenant.id()) == 0);
    }

    @Test
    void aFloodOfPollsFromOneProxyHoldsOne() throws Exception {
        TestTenant tenant = tenantWithMesh();
        MintedCredential proxy = proxy(tenant.id());
        AtomicInteger mostHeld = new AtomicInteger();
        Thread sampler = sampleHeld(tenant.id(), mostHeld);
        List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
        for (int i = 0; i < 200; i++) flood.add(poll(proxy.token()));
        int notModified = 0;
        for (var answer : flood) if (answer.get(30, TimeUnit.SECONDS).statusCode() == 304) notModified++;
        sampler.interrupt();
        assertThat(notModified).as("every poll answered 304, none refused").isEqualTo(200);
        // A new poll and the one it replaces are counted in one step: never two at a moment.
        assertThat(mostHeld.get()).isLessThanOrEqualTo(1);
    }

    @Test
    void aTenantHoldsAtMostItsLimitAndItsFloodDoesNotSlowAnotherTenant() throws Exception {
        TestTenant flooding = tenantWithMesh();
        TestTenant other = tenantWithMesh();
        List<MintedCredential> proxies = new ArrayList<>();
        for (int i = 0; i < 21; i++) proxies.add(proxy(flooding.id()));
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 20; i++) held.add(poll(proxies.get(i).token()));
        await(() -> polls.held(flooding.id()) == 20);
        HttpResponse<String> refused = poll(proxies.get(20).token()).get(10, TimeUnit.SECONDS);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(refused.body()).contains("max-polls-per-tenant");

        // While the flooding tenant keeps polling with every proxy, the other tenant's reads all succeed (the
        // burst of requests shares the machine's cores with them), and while the flood's polls are held its
        // reads are as fast as before the flood: before, held polls piled up until reads took 4 s and then
        // timed out.
        List<Long> before = reads(other);
        AtomicInteger mostHeld = new AtomicInteger();
        Thread sampler = sampleHeld(flooding.id(), mostHeld);
        List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
        for (int i = 0; i < 600; i++) flood.add(poll(proxies.get(i % proxies.size()).token()));
        List<Long> during = reads(other);
        for (var answer : flood) assertThat(answer.get(30, TimeUnit.SECONDS).statusCode()).isIn(304, 429);
        // The flooding tenant holds as many polls as it may again, and the other tenant reads meanwhile.
        List<CompletableFuture<HttpResponse<String>>> again = new ArrayList<>();
        for (MintedCredential proxy : proxies) again.add(poll(proxy.token()));
        await(() -> polls.held(flooding.id()) == 20);
        List<Long> whileHeld = reads(other);
        sampler.interrupt();
        for (var answer : held) answer.get(30, TimeUnit.SECONDS);
        for (var answer : again) assertThat(answer.get(30, TimeUnit.SECONDS).statusCode()).isIn(304, 429);
        assertThat(mostHeld.get()).as("held polls of the flooding tenant").isLessThanOrEqualTo(20);
        assertThat(during).hasSize(30);
        assertThat(median(whileHeld)).as("median GET while the flood is held " + whileHeld + " against before it " + before)
                .isLessThanOrEqualTo(Math.max(50, 3 * median(before)));
        assertThat(whileHeld.getLast()).as("slowest GET while the flood is held, ms: " + whileHeld).isLessThan(1000);
        assertThat(polls.held(other.id())).isZero();
    }

    /** Keeps in {@code most} the most polls the tenant held at any moment, until the thread is interrupted. */
    private Thread sampleHeld(String tenantId, AtomicInteger most) {
        return Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                most.accumulateAndGet(polls.held(tenantId), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** 30 reads of the tenant's own document, each answered 200; their times in ms, sorted. */
    private List<Long> reads(TestTenant tenant) throws Exception {
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            long start = System.nanoTime();
            assertThat(send("GET", "/v1/tenant", tenant.key(), null)).contains(tenant.id());
            millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
        millis.sort(null);
        return millis;
    }

    private static long median(List<Long> sorted) {
        return sorted.get(sorted.size() / 2);
    }

    private CompletableFuture<HttpResponse<String>> poll(String token) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/fleet/config?version=none"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private MintedCredential proxy(String tenantId) {
        return TestProxies.insert(transactions, jdbc, tenantId, Instant.now().plus(Duration.ofHours(1)));
    }

    private TestTenant tenantWithMesh() throws Exception {
        String created = send("POST", "/v1/tenants", "it-operator-key-0123456789",
                "{\"name\": \"p-" + UUID.randomUUID().toString().substring(0, 8) + "\"}");
        String key = field(created, "apiKey");
        send("PUT", "/v1/meshes/shop", key, "{\"mtls\": \"PERMISSIVE\"}");
        return new TestTenant(field(send("GET", "/v1/tenant", key, null), "id"), key);
    }

    private String send(String method, String path, String bearer, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + bearer)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) request.header("Content-Type", "application/json");
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 299);
        return response.body();
    }

    private static String field(String json, String name) {
        Matcher value = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        assertThat(value.find()).as(name + " in " + json).isTrue();
        return value.group(1);
    }
}
