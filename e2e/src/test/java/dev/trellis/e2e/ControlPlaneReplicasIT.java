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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production topology with real processes: two control-plane replicas (the built jar; {@code
 * -Dtrellis.e2e.replicas=3} for three, 47 s longer: 204.5 s against 157.2 s at load 6-7, a third
 * replica to start and one more to replace in the rolling upgrade) on one
 * real PostgreSQL, behind a real HAProxy that health-checks {@code /readyz}; web v1 and echo v1 behind
 * real proxies that reach the control plane only through the balancer, web calling echo all along.
 * In order: a write through one replica wakes polls held on the others within 1 s (p99); a replica
 * killed with SIGKILL under traffic and writes fails no data-plane request, its in-flight write is
 * committed once or not at all, and the proxies' polls and usage reports move to the survivors;
 * PostgreSQL restarts, then stays away for {@code -Dtrellis.e2e.database-outage} seconds (10 by
 * default; bench/replica-outage.sh runs 30): no data-plane request fails, no accepted write is
 * lost, the API answers 503 with Retry-After meanwhile and recovers by itself; a rolling upgrade
 * (each replica stopped with SIGTERM and replaced) fails no request at all, and each stopping
 * replica answers its held polls 304 before it exits.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(900)
class ControlPlaneReplicasIT {
    // A replica starts in 20–40 s; on the shared 2-core machine under a load average above 20 it took 150 s.
    private static final Duration START = Duration.ofSeconds(240);
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("trellis.e2e.database-outage", 10));
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static final int REPLICAS = Integer.getInteger("trellis.e2e.replicas", 2);
    private final Replicas replicas = new Replicas(java.util.Arrays.copyOf(new String[]{"a", "b", "c"}, REPLICAS));
    private ShopMesh mesh;
    private ShopMesh.Workload web;
    private ShopMesh.Workload echo;
    private String key;

    @BeforeAll
    void start() throws InterruptedException {
        replicas.startDatabase();
        replicas.startAll(START);
        replicas.startBalancer();
        mesh = new ShopMesh(replicas.balancerPort);
        // echo v2 is not needed: every call goes to echo v1.
        mesh.workloads.remove("echo-v2").app.close();
        mesh.declare();
        mesh.api.declare("/v1/meshes/shop/routes/echo-split", ShopMesh.split(100, 0));
        // ledger: the resource the tests write, in web's scope so that every write changes web's snapshot.
        mesh.api.declare(LedgerWrites.PATH, LedgerWrites.document(20000));
        mesh.api.declare("/v1/meshes/shop/policies/web-to-ledger",
                "{\"kind\": \"ACCESS\", \"target\": {\"service\": \"ledger\"}, \"spec\": {\"allow\": [{\"from\": {\"service\": \"web\"}}]}}");
        key = mesh.api.key();
        web = mesh.workloads.get("web-v1");
        echo = mesh.workloads.get("echo-v1");
        for (ShopMesh.Workload workload : mesh.workloads.values()) {
            mesh.startProxy(workload, mesh.joinToken(workload), Map.of("TRELLIS_USAGE_INTERVAL", "2s"));
        }
        mesh.awaitEchoV1InARow(40, Duration.ofSeconds(90));
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (mesh != null) mesh.close();
        replicas.close();
    }

    @Test
    @Order(1)
    void aWriteThroughOneReplicaWakesPollsHeldOnTheOthersWithinOneSecond() throws Exception {
        Replicas.Replica a = replicas.replica("a");
        // Every replica but a holds polls: 4 simulated proxies spread over them.
        List<Replicas.Replica> others = replicas.replicas.stream().filter(r -> r != a).toList();
        ControlPlaneApi throughA = new ControlPlaneApi(a.port, key);
        List<SimulatedProxy> pollers = new ArrayList<>();
        for (int i = 0; i < 4; i++) pollers.add(SimulatedProxy.register(replicas.balancerUrl(""), mesh.api, "web", "v1"));
        String version = pollers.getFirst().poll(others.getFirst().url(""), null).get(30, TimeUnit.SECONDS).etag();
        List<Long> latencies = new ArrayList<>();
        for (int write = 0; write < 10; write++) {
            String have = version;
            List<CompletableFuture<SimulatedProxy.Answer>> held = new ArrayList<>();
            for (int i = 0; i < pollers.size(); i++) held.add(pollers.get(i).poll(others.get(i % others.size()).url(""), have));
            Thread.sleep(400);
            assertThat(held).as("held on the other replicas until something changes").noneMatch(CompletableFuture::isDone);
            long written = System.nanoTime();
            throughA.declare(LedgerWrites.PATH, LedgerWrites.document(30000 + write));
            for (CompletableFuture<SimulatedProxy.Answer> poll : held) {
                SimulatedProxy.Answer answer = poll.get(10, TimeUnit.SECONDS);
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.etag()).isNotEqualTo(have);
                latencies.add(answer.at() - written);
                version = answer.etag();
            }
        }
        Collections.sort(latencies);
        long p50 = latencies.get(latencies.size() / 2) / 1_000_000;
        long p99 = latencies.get((int) Math.ceil(0.99 * latencies.size()) - 1) / 1_000_000;
        System.out.printf("write through replica a → poll held on another of %d replicas answered: p50 %d ms, p99 %d ms, max %d ms (n=%d)%n",
                replicas.replicas.size(), p50, p99, latencies.getLast() / 1_000_000, latencies.size());
        assertThat(Duration.ofMillis(p99)).isLessThanOrEqualTo(Duration.ofSeconds(1));
        // The real proxies, polling through the balancer, apply the last write too.
        awaitApplied(version, Duration.ofSeconds(10));
    }

    @Test
    @Order(2)
    void aReplicaKilledUnderTrafficFailsNoRequestAndCommitsItsWriteInFlightOnceOrNotAtAll() throws Exception {
        Replicas.Replica a = replicas.replica("a");
        Replicas.Replica b = replicas.replica("b");
        long mark;
        LedgerWrites writes;
        int traffic;
        List<String> failed;
        try (SteadyTraffic calls = SteadyTraffic.through(web)) {
            // Straight at b, so that a write is in flight there when it dies.
            writes = new LedgerWrites(b.url(""), key, true);
            Thread.sleep(1500);
            mark = replicas.logMark();
            b.process.kill();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (writes.running() && System.nanoTime() < deadline) Thread.sleep(50);
            writes.close();
            replicas.awaitInRotation(b, false, Duration.ofSeconds(5));

            // The client tells by resourceVersion, asking the survivor, whether its unanswered write was committed.
            assertThat(writes.failures()).isEmpty();
            assertThat(writes.acked()).isNotEmpty();
            assertThat(writes.lostAnswer()).as("the write in flight when b died").isNotNull();
            LedgerWrites.Acked last = writes.acked().getLast();
            JsonNode now = LedgerWrites.current(a.url(""), key);
            long version = Long.parseLong(now.get("resourceVersion").asString());
            boolean committed = now.get("port").asInt() == writes.lostAnswer();
            System.out.printf("kill -9 of replica b: %d writes acknowledged before, the write in flight was %s%n",
                    writes.acked().size(), committed ? "committed" : "not committed");
            if (committed) {
                assertThat(version).as("committed once").isEqualTo(last.resourceVersion() + 1);
            } else {
                assertThat(now.get("port").asInt()).isEqualTo(last.port());
                assertThat(version).isEqualTo(last.resourceVersion());
            }
            // Sent again on the same precondition, through the balancer: refused if it was committed, applied if it was not.
            HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(URI.create(replicas.balancerUrl(LedgerWrites.PATH)))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .header("If-Match", "\"" + last.resourceVersion() + "\"")
                    .PUT(HttpRequest.BodyPublishers.ofString(LedgerWrites.document(writes.lostAnswer()))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(again.statusCode()).as(again.body()).isEqualTo(committed ? 412 : 200);

            // A change now reaches the proxies through the survivor, and their usage reports land there.
            mesh.api.declare(LedgerWrites.PATH, LedgerWrites.document(writes.lostAnswer() + 1000));
            awaitApplied(snapshotVersion(), Duration.ofSeconds(10));
            Thread.sleep(5000);
            traffic = calls.requests();
            failed = calls.failures();
        }
        System.out.printf("kill -9 of replica b under traffic: %d data-plane calls, %d failed%n", traffic, failed.size());
        assertThat(failed).isEmpty();
        assertThat(traffic).isGreaterThan(50);
        List<String> log = replicas.loggedSince(mark);
        assertThat(log).as("usage reports served by a survivor after the kill")
                .anyMatch(l -> survivor(l) && l.contains("POST /v1/fleet/usage") && l.matches(".* 20[0-9] .*"));
        assertThat(log).as("polls answered by a survivor after the kill")
                .anyMatch(l -> survivor(l) && l.contains("GET /v1/fleet/config") && l.matches(".* 200 .*"));

        replicas.ensureRunning(START);
    }

    @Test
    @Order(3)
    void aDatabaseRestartAndOutageFailNoRequestLoseNoAcceptedWriteAndAnswer503WithRetryAfter() throws Exception {
        replicas.ensureRunning(START);
        Replicas.Replica a = replicas.replica("a");
        LedgerWrites writes;
        int traffic;
        List<String> failed;
        Duration recovery;
        try (SteadyTraffic calls = SteadyTraffic.through(web)) {
            writes = new LedgerWrites(replicas.balancerUrl(""), key, false);
            Thread.sleep(1000);
            replicas.stopDatabase();
            replicas.startDatabase();
            awaitMoreWrites(writes, writes.acked().size(), Duration.ofSeconds(30));

            replicas.stopDatabase();
            long down = System.nanoTime();
            Thread.sleep(3000);
            // A write committed just before PostgreSQL stopped may be answered after: counted from here on.
            int before = writes.acked().size();
            for (String url : List.of(a.url("/v1/tenant"), replicas.balancerUrl("/v1/tenant"))) {
                HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).as(url + ": " + answer.body()).isEqualTo(503);
                assertThat(answer.headers().firstValue("Retry-After")).as(url).hasValue("1");
                assertThat(answer.headers().firstValue("Content-Type")).as(url).hasValue("application/problem+json");
            }
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(a.url("/readyz"))).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode()).isEqualTo(503);
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(a.url("/livez"))).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode()).as("alive: a database outage restarts no replica").isEqualTo(200);
            Thread.sleep(Math.max(0, OUTAGE.toMillis() - Duration.ofNanos(System.nanoTime() - down).toMillis()));
            assertThat(writes.acked()).as("nothing is accepted while the database is away").hasSize(before);
            replicas.startDatabase();
            long up = System.nanoTime();
            // Every proxy looks silent now (its heartbeats were refused): echo's endpoint must stay in web's snapshot all the same.
            long recovered = 0;
            List<Long> withoutEcho = new ArrayList<>();
            while (System.nanoTime() - up < Duration.ofSeconds(12).toNanos()) {
                if (recovered == 0 && writes.acked().size() > before) recovered = System.nanoTime();
                ControlPlaneApi.Answer snapshot = mesh.api.get("/v1/meshes/shop/snapshots/web");
                if (snapshot.status() == 200 && !snapshot.body().contains("\"port\":" + echo.inbound + "}")) {
                    withoutEcho.add((System.nanoTime() - up) / 1_000_000);
                }
                Thread.sleep(100);
            }
            assertThat(withoutEcho).as("ms after PostgreSQL was back that web's snapshot lacked echo's endpoint").isEmpty();
            awaitMoreWrites(writes, before, Duration.ofSeconds(30));
            recovery = Duration.ofNanos((recovered == 0 ? System.nanoTime() : recovered) - up);
            for (Replicas.Replica replica : replicas.replicas) replicas.awaitInRotation(replica, true, Duration.ofSeconds(30));
            Thread.sleep(3000);
            writes.close();
            traffic = calls.requests();
            failed = calls.failures();
        }
        System.out.printf("PostgreSQL restart, then %d s away: %d data-plane calls, %d failed; %d writes accepted, %d answered 503; "
                        + "first write accepted %d ms after PostgreSQL was back%n", OUTAGE.toSeconds(), traffic, failed.size(),
                writes.acked().size(), writes.unavailable(), recovery.toMillis());
        assertThat(failed).isEmpty();
        assertThat(writes.failures()).isEmpty();
        assertThat(writes.unavailable()).isPositive();
        assertNothingLost(writes);
        awaitApplied(snapshotVersion(), Duration.ofSeconds(15));
    }

    @Test
    @Order(4)
    void aRollingUpgradeFailsNoRequestLosesNoWriteAndAnswersHeldPolls304BeforeEachReplicaExits() throws Exception {
        // An echo proxy's snapshot does not change with the ledger writes: its poll stays held until the replica stops.
        replicas.ensureRunning(START);
        SimulatedProxy echoPoller = SimulatedProxy.register(replicas.balancerUrl(""), mesh.api, "echo", "v1");
        LedgerWrites writes;
        int traffic;
        List<String> failed;
        try (SteadyTraffic calls = SteadyTraffic.through(web)) {
            writes = new LedgerWrites(replicas.balancerUrl(""), key, false);
            for (Replicas.Replica replica : replicas.replicas) {
                String version = echoPoller.poll(replica.url(""), null).get(10, TimeUnit.SECONDS).etag();
                CompletableFuture<SimulatedProxy.Answer> held = echoPoller.poll(replica.url(""), version);
                Thread.sleep(500);
                assertThat(held).isNotDone();
                long stopping = System.nanoTime();
                replica.process.terminate();
                SimulatedProxy.Answer answer = held.get(Replicas.DRAIN.toSeconds() + 15, TimeUnit.SECONDS);
                assertThat(answer.status()).as("a held poll is answered before the replica exits").isEqualTo(304);
                assertThat(Duration.ofNanos(answer.at() - stopping)).isGreaterThanOrEqualTo(Replicas.DRAIN.minusMillis(100));
                replica.process.stop();
                replica.start();
                replica.awaitReady(START);
                replicas.awaitInRotation(replica, true, Duration.ofSeconds(10));
            }
            Thread.sleep(2000);
            writes.close();
            traffic = calls.requests();
            failed = calls.failures();
        }
        System.out.printf("rolling upgrade of %d replicas: %d data-plane calls, %d failed; %d writes, %d failed, %d answered 503%n",
                replicas.replicas.size(), traffic, failed.size(), writes.acked().size(), writes.failures().size(), writes.unavailable());
        assertThat(failed).isEmpty();
        assertThat(writes.failures()).isEmpty();
        assertThat(writes.unavailable()).as("no request refused").isZero();
        assertThat(writes.acked()).hasSizeGreaterThan(10);
        assertNothingLost(writes);
        awaitApplied(snapshotVersion(), Duration.ofSeconds(10));
    }

    /** A balancer log line of a request served by a replica other than b (the one killed). */
    private boolean survivor(String line) {
        return replicas.replicas.stream().filter(r -> !r.name.equals("b")).anyMatch(r -> line.contains(" replicas/" + r.name + " "));
    }

    /** Every accepted write is there: the resource holds the last one, at the resourceVersion it was answered. */
    private void assertNothingLost(LedgerWrites writes) {
        LedgerWrites.Acked last = writes.acked().getLast();
        JsonNode now = LedgerWrites.current(replicas.balancerUrl(""), key);
        assertThat(now.get("port").asInt()).isEqualTo(last.port());
        assertThat(Long.parseLong(now.get("resourceVersion").asString())).isEqualTo(last.resourceVersion());
    }

    private static void awaitMoreWrites(LedgerWrites writes, int than, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (writes.acked().size() <= than) {
            if (System.nanoTime() > deadline) throw new AssertionError("no write accepted within " + within + ": " + writes.failures());
            Thread.sleep(100);
        }
    }

    private String snapshotVersion() {
        return mesh.api.get("/v1/meshes/shop/snapshots/web").json().get("version").asString();
    }

    /** Waits until web's real proxy reports {@code version} applied (the simulated ones never report). */
    private void awaitApplied(String version, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (mesh.api.get("/v1/meshes/shop/proxies").json().get("items").valueStream()
                .noneMatch(p -> p.get("appliedVersion") != null && version.equals(p.get("appliedVersion").asString()))) {
            if (System.nanoTime() > deadline) throw new AssertionError("web's proxy did not apply " + version + " within " + within);
            Thread.sleep(200);
        }
    }
}
