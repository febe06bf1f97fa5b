package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.cluster;
import static dev.trellis.proxy.Snapshots.rule;
import static dev.trellis.proxy.Snapshots.snapshot;
import static dev.trellis.proxy.Snapshots.upstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.SnapshotJson;
import dev.trellis.proxy.snapshot.SnapshotApplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Snapshots: atomic swaps under load, refusal of bad ones, persistence, file reload and readiness. */
class SnapshotLifecycleIT {
    static final TestBackend A = TestBackend.start("a");
    static final TestBackend B = TestBackend.start("b");

    @AfterAll
    static void stop() {
        A.close();
        B.close();
    }

    static Snapshot toA() {
        return snapshot(List.of(upstream("echo", rule("echo/default", Match.any(), "echo/a"))), List.of(cluster("echo/a", A)));
    }

    static Snapshot toB() {
        return snapshot(List.of(upstream("echo", rule("echo/default", Match.any(), "echo/b"))), List.of(cluster("echo/b", B)));
    }

    @Test
    void swapsUnderLoadWithoutAFailedRequest() throws Exception {
        ProxyHarness proxy = SharedProxy.get();
        proxy.apply(toA());
        AtomicBoolean swapping = new AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger batches = new java.util.concurrent.atomic.AtomicInteger();
        // Its own thread: the common pool may have one worker on a small machine, and the HTTP client needs it.
        java.util.concurrent.ExecutorService swapper = java.util.concurrent.Executors.newSingleThreadExecutor();
        CompletableFuture<Void> swaps = CompletableFuture.runAsync(() -> {
            try {
                // At least 40 swaps, and on until two batches of requests ran under them (a loaded machine is slow).
                for (int i = 0; i < 40 || batches.get() < 2; i++) {
                    assertThat(proxy.apply(i % 2 == 0 ? toB() : toA()).applied()).isTrue();
                    sleep(25);
                }
            } finally {
                // A failed swap ends the load too, so the failure is reported instead of looping forever.
                swapping.set(false);
            }
        }, swapper);
        List<HttpResponse<String>> responses = new java.util.ArrayList<>();
        while (swapping.get()) {
            responses.addAll(proxy.sendMany(200, 16, () -> proxy.request("http://echo/during-swap").build()));
            batches.incrementAndGet();
        }
        try {
            swaps.get(30, TimeUnit.SECONDS);
        } finally {
            swapper.shutdown();
        }

        assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
        Map<String, Long> byBackend = RoutingIT.count(responses);
        assertThat(byBackend.keySet()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void refusesUnparseableAndInconsistentSnapshotsAndKeepsThePrevious() {
        ProxyHarness proxy = SharedProxy.get();
        SnapshotApplier applier = proxy.proxy.applier();
        proxy.apply(toA());

        SnapshotApplier.Outcome garbage = applier.apply("{not json".getBytes(StandardCharsets.UTF_8), "test");
        Snapshot dangling = snapshot(List.of(upstream("echo", rule("echo/default", Match.any(), "echo/missing"))),
                List.of(cluster("echo/a", A)));
        SnapshotApplier.Outcome inconsistent = applier.apply(SnapshotJson.write(dangling), "test");
        Snapshot badRegex = snapshot(List.of(upstream("echo", rule("echo/default",
                new Match(null, null, "/(unclosed", List.of(), List.of(), List.of()), "echo/b"))), List.of(cluster("echo/b", B)));
        SnapshotApplier.Outcome unenforceable = applier.apply(SnapshotJson.write(badRegex.withComputedVersion()), "test");

        assertThat(garbage.applied()).isFalse();
        assertThat(garbage.reason()).startsWith("not a snapshot");
        assertThat(inconsistent.applied()).isFalse();
        assertThat(inconsistent.reason()).contains("missing cluster echo/missing");
        assertThat(unenforceable.applied()).isFalse();
        assertThat(unenforceable.reason()).contains("pathRegex is not a valid RE2 regular expression");
        assertThat(proxy.get("http://echo/still-a").body()).isEqualTo("a");
    }

    @Test
    void startsFromTheStoredSnapshotAndFollowsTheSnapshotFile() throws Exception {
        Path data = ProxyHarness.tempDir("restart");
        Path input = data.resolveSibling(data.getFileName() + "-input.json");
        Files.write(input, SnapshotJson.write(toA().withComputedVersion()));
        try (ProxyHarness first = new ProxyHarness(SharedProxy.APP.port(), data, "--trellis.snapshot-file=" + input)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> first.admin("/ready").statusCode() == 200);
            assertThat(first.get("http://echo/x").body()).isEqualTo("a");
            Files.write(input, SnapshotJson.write(toB().withComputedVersion()));
            await().atMost(Duration.ofSeconds(5)).until(() -> first.get("http://echo/x").body().equals("b"));
            Files.writeString(input, "{broken");
            Thread.sleep(400);
            assertThat(first.get("http://echo/x").body()).isEqualTo("b");
        }
        // No snapshot file and no control plane: the stored snapshot is enough to serve.
        try (ProxyHarness second = new ProxyHarness(SharedProxy.APP.port(), data)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> second.admin("/ready").statusCode() == 200);
            assertThat(second.get("http://echo/x").body()).isEqualTo("b");
        }
    }

    @Test
    void notReadyBeforeASnapshot() {
        try (ProxyHarness empty = new ProxyHarness(SharedProxy.APP.port(), ProxyHarness.tempDir("empty"))) {
            assertThat(empty.admin("/ready").statusCode()).isEqualTo(503);
            assertThat(empty.get("http://echo/x").statusCode()).isEqualTo(503);
            assertThat(empty.apply(toA()).applied()).isTrue();
            assertThat(empty.admin("/ready").statusCode()).isEqualTo(200);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
