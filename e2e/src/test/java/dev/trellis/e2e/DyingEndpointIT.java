package dev.trellis.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Endpoints that die, with real processes: web calls echo v1, which runs as two workloads behind
 * their own proxies. One is killed with SIGKILL under steady load from several callers: from 1 s
 * after the kill at least 99.9% of calls succeed, and its endpoint leaves web's snapshot within
 * 10 s; the fleet lists it as stale, and an editor's DELETE revokes it (its token stops working).
 * Then a third workload joins and the second is stopped gracefully under load: it withdraws its
 * endpoint before its listeners close, and no call fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(600)
class DyingEndpointIT {
    private static final int CALLERS = 4;

    private final ShopMesh mesh = new ShopMesh();
    private ShopMesh.Workload first;
    private ShopMesh.Workload second;
    private ShopMesh.Workload third;
    private long controlPlaneStarted;

    @BeforeAll
    void start() throws InterruptedException {
        // echo v2 is not needed here: every call goes to echo v1, which gets three workloads.
        mesh.workloads.remove("echo-v2").app.close();
        first = mesh.workloads.get("echo-v1");
        second = new ShopMesh.Workload("echo", "v1", "b", mesh.home);
        third = new ShopMesh.Workload("echo", "v1", "c", mesh.home);
        mesh.workloads.put(second.name(), second);
        mesh.workloads.put(third.name(), third);
        controlPlaneStarted = System.nanoTime();
        mesh.startControlPlane();
        mesh.declare();
        mesh.api.declare("/v1/meshes/shop/routes/echo-split", ShopMesh.split(100, 0));
        for (ShopMesh.Workload workload : List.of(mesh.workloads.get("web-v1"), first, second)) {
            mesh.startProxy(workload, mesh.joinToken(workload));
        }
        awaitInWebsSnapshot(List.of(first, second), Duration.ofSeconds(60));
        mesh.awaitEchoV1InARow(60, Duration.ofSeconds(90));
    }

    @AfterAll
    void stop() throws InterruptedException {
        mesh.close();
    }

    @Test
    @Order(1)
    void aKilledEndpointCostsCallersNothingAfterOneSecondAndLeavesTheirSnapshotWithinTenSeconds() throws Exception {
        // A control plane sweeps silent proxies only 30 s after it starts (trellis.fleet.endpoint-grace),
        // so that its own restart does not empty the mesh: the kill comes after that, as it would in production.
        long graceOver = controlPlaneStarted + Duration.ofSeconds(31).toNanos();
        try (Load load = new Load(mesh.workloads.get("web-v1"))) {
            Thread.sleep(Math.max(2000, Duration.ofNanos(graceOver - System.nanoTime()).toMillis()));
            long killed = System.nanoTime();
            first.proxy.kill();
            long gone = awaitGoneFromWebsSnapshot(first, Duration.ofSeconds(20));
            Duration removal = Duration.ofNanos(gone - killed);
            Thread.sleep(3000); // steady state after the removal counts too
            load.stop();

            List<Load.Call> after = load.since(killed + Duration.ofSeconds(1).toNanos());
            long failed = after.stream().filter(c -> !c.ok()).count();
            double success = 100.0 * (after.size() - failed) / after.size();
            List<Load.Call> firstSecond = load.between(killed, killed + Duration.ofSeconds(1).toNanos());
            System.out.printf("kill -9 of one of two echo v1 endpoints under load: gone from web's snapshot after %d ms; "
                            + "first second %d calls, %d failed; from 1 s after the kill %d calls, %d failed (%.3f%% success); "
                            + "failures: %s%n", removal.toMillis(), firstSecond.size(), firstSecond.stream().filter(c -> !c.ok()).count(),
                    after.size(), failed, success, after.stream().filter(c -> !c.ok()).limit(5).map(Load.Call::answer).toList());
            assertThat(after.size()).isGreaterThan(500);
            assertThat(success).isGreaterThanOrEqualTo(99.9);
            assertThat(removal).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    @Order(2)
    void theFleetListsTheKilledProxyAsStaleAndAnEditorRevokesIt() throws Exception {
        JsonNode killed = proxyOn(first);
        assertThat(killed.get("state").asString()).isEqualTo("STALE");
        assertThat(killed.get("endpoint").isNull()).isTrue();
        assertThat(proxyOn(second).get("state").asString()).isEqualTo("ACTIVE");

        String token = Files.readString(first.dataDir.resolve("proxy-token")).strip();
        ControlPlaneApi.Answer revoked = mesh.api.send("DELETE", "/v1/meshes/shop/proxies/" + killed.get("id").asString(), null);
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(204);

        HttpResponse<String> poll = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + mesh.controlPlanePort + "/v1/fleet/config"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(poll.statusCode()).isEqualTo(401);
        assertThat(mesh.api.get("/v1/meshes/shop/proxies").json().get("items").valueStream()
                .map(p -> p.get("id").asString())).doesNotContain(killed.get("id").asString());
    }

    @Test
    @Order(3)
    void aProxyStoppedGracefullyWithdrawsItsEndpointBeforeItsListenersCloseAndNoCallFails() throws Exception {
        mesh.startProxy(third, mesh.joinToken(third));
        awaitInWebsSnapshot(List.of(second, third), Duration.ofSeconds(60));
        try (Load load = new Load(mesh.workloads.get("web-v1"))) {
            Thread.sleep(1000);
            second.proxy.terminate();
            awaitGoneFromWebsSnapshot(second, Duration.ofSeconds(10));
            // Withdrawn while it still serves: its listener closes only after the drain (2 s).
            try (Socket stillListening = new Socket("127.0.0.1", second.inbound)) {
                assertThat(stillListening.isConnected()).isTrue();
            }
            second.proxy.stop();
            Thread.sleep(1000);
            load.stop();
            List<Load.Call> calls = load.since(0);
            System.out.printf("graceful stop of one of two echo v1 endpoints under load: %d calls, %d failed%n", calls.size(),
                    calls.stream().filter(c -> !c.ok()).count());
            assertThat(calls).isNotEmpty().allSatisfy(c -> assertThat(c.answer()).isEqualTo("echo v1"));
        }
    }

    private JsonNode proxyOn(ShopMesh.Workload workload) {
        // The fleet does not list ports; a workload's proxy is the one registered from its data directory.
        return mesh.api.get("/v1/meshes/shop/proxies").json().get("items").valueStream()
                .filter(p -> p.get("id").asString().equals(proxyId(workload))).findFirst().orElseThrow();
    }

    private static String proxyId(ShopMesh.Workload workload) {
        try {
            String token = Files.readString(workload.dataDir.resolve("proxy-token")).strip();
            return token.substring(token.indexOf('_') + 1, token.indexOf('_', token.indexOf('_') + 1));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void awaitInWebsSnapshot(List<ShopMesh.Workload> workloads, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            String snapshot = mesh.api.get("/v1/meshes/shop/snapshots/web").body();
            if (workloads.stream().allMatch(w -> snapshot.contains("\"port\":" + w.inbound + "}"))) return;
            if (System.nanoTime() > deadline) throw new IllegalStateException("endpoints not in web's snapshot within " + within);
            Thread.sleep(100);
        }
    }

    /** When web's snapshot, as the control plane serves it, no longer holds the workload's endpoint. */
    private long awaitGoneFromWebsSnapshot(ShopMesh.Workload workload, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (mesh.api.get("/v1/meshes/shop/snapshots/web").body().contains("\"port\":" + workload.inbound + "}")) {
            if (System.nanoTime() > deadline) throw new AssertionError(workload.name() + " still in web's snapshot after " + within);
            Thread.sleep(50);
        }
        return System.nanoTime();
    }

    /** {@value #CALLERS} callers through web's proxy, back to back, each call timed and kept. */
    static final class Load implements AutoCloseable {
        record Call(long sentNanos, String answer) {
            boolean ok() {
                return answer.equals("echo v1");
            }
        }

        private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> callers = new ArrayList<>();

        Load(ShopMesh.Workload web) {
            for (int i = 0; i < CALLERS; i++) {
                HttpClient client = web.outboundClient();
                callers.add(Thread.ofPlatform().daemon().name("load-" + i).start(() -> {
                    while (running.get()) {
                        long sent = System.nanoTime();
                        calls.add(new Call(sent, ShopMesh.callOnce(client)));
                    }
                }));
            }
        }

        List<Call> since(long nanos) {
            synchronized (calls) {
                return calls.stream().filter(c -> c.sentNanos() >= nanos).toList();
            }
        }

        List<Call> between(long from, long to) {
            synchronized (calls) {
                return calls.stream().filter(c -> c.sentNanos() >= from && c.sentNanos() < to).toList();
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread caller : callers) caller.join(Duration.ofSeconds(10));
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
