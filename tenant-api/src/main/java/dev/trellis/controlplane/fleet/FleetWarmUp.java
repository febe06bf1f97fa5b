package dev.trellis.controlplane.fleet;

import dev.trellis.compiler.CompileResult;
import dev.trellis.compiler.Documents;
import dev.trellis.compiler.MeshCompiler;
import dev.trellis.compiler.MeshState;
import dev.trellis.compiler.Parsed;
import dev.trellis.compiler.PolicySpec;
import dev.trellis.compiler.RouteSpec;
import dev.trellis.compiler.ServiceSpec;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.SnapshotJson;
import dev.trellis.controlplane.health.WarmUp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.List;
import java.util.TreeMap;

/**
 * Before the web server starts (and so before {@code /readyz} can answer ready), compiles a sample
 * mesh {@code trellis.fleet.warm-up} times (0: off) and runs each snapshot through the bytes a
 * woken poll is answered with and the parse a proxy applies. Otherwise the first write after a
 * start-up loads and interprets the compiler while a fleet waits for its snapshot: on the loaded
 * 2-core machine the first such compilation took about 5 s (FleetWarmUpTest), later ones about 25 ms.
 * Pure work on made-up documents: nothing is read from or written to the database. Bounded by
 * {@code trellis.fleet.warm-up-limit} on a slow machine (checked between rounds).
 */
@Component
class FleetWarmUp implements WarmUp, SmartInitializingSingleton {
    private static final Logger log = LoggerFactory.getLogger(FleetWarmUp.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final int rounds;
    private final Duration limit;
    private volatile boolean warmed;
    private volatile int compiled;

    FleetWarmUp(@Value("${trellis.fleet.warm-up:200}") int rounds, @Value("${trellis.fleet.warm-up-limit:3s}") Duration limit) {
        this.rounds = rounds;
        this.limit = limit;
    }

    @Override
    public void afterSingletonsInstantiated() {
        long start = System.nanoTime();
        int done = 0;
        try {
            while (done < rounds && System.nanoTime() - start < limit.toNanos()) {
                round(done);
                done++;
            }
        } catch (RuntimeException e) {
            // Only ever a head start: a replica that cannot warm up still serves.
            log.warn("fleet warm-up stopped after {} rounds: {}", done, e.toString());
        }
        compiled = done;
        warmed = true;
        log.info("fleet warm-up: {} compilations in {} ms", done, (System.nanoTime() - start) / 1_000_000);
    }

    @Override
    public boolean warmed() {
        return warmed;
    }

    /** How many rounds the warm-up ran. */
    int compiled() {
        return compiled;
    }

    @Override
    public String what() {
        return "compiling a sample mesh";
    }

    /** One route write's work: a 90/10 split that changes every round, compiled, serialised, answered and parsed. */
    private static void round(int round) {
        int v1 = 1 + round % 99;
        TreeMap<String, ServiceSpec> services = new TreeMap<>();
        services.put("echo", value(Documents.service(JSON.readTree("""
                {"port": 8080, "versions": [{"name": "v1"}, {"name": "v2"}], "endpoints": [{"address": "10.0.0.7", "port": 8080, "version": "v1"},
                 {"address": "10.0.0.8", "port": 8080, "version": "v2"}]}"""))));
        services.put("web", value(Documents.service(JSON.readTree("{\"port\": 8080, \"versions\": [{\"name\": \"v1\"}]}"))));
        TreeMap<String, RouteSpec> routes = new TreeMap<>();
        routes.put("echo-split", value(Documents.route(JSON.readTree("""
                {"service": "echo", "rules": [{"match": {"pathPrefix": "/"}, "backends": [{"service": "echo", "version": "v1", "weight": %d},
                 {"service": "echo", "version": "v2", "weight": %d}]}]}""".formatted(v1, 100 - v1)))));
        TreeMap<String, PolicySpec> policies = new TreeMap<>();
        policies.put("web-to-echo", value(Documents.policy(JSON.readTree("""
                {"kind": "ACCESS", "target": {"service": "echo"}, "spec": {"allow": [{"from": {"service": "web"}}]}}"""))));
        MeshState state = new MeshState("warm-up", "warm-up", value(Documents.mesh(JSON.readTree("{\"mtls\": \"STRICT\"}"))),
                services, routes, policies, List.of());
        CompileResult result = MeshCompiler.compile(state);
        if (!result.ok()) throw new IllegalStateException("the sample mesh does not compile: " + result.errors());
        for (Snapshot snapshot : result.snapshots().values()) {
            PollAnswer answer = PollAnswer.snapshot(snapshot.version(), SnapshotJson.write(snapshot));
            if (!SnapshotJson.read(answer.body()).version().equals(answer.version())) {
                throw new IllegalStateException("a sample snapshot does not read back as written");
            }
        }
    }

    private static <T> T value(Parsed<T> parsed) {
        if (!parsed.ok()) throw new IllegalStateException("a sample document is invalid: " + parsed.violations());
        return parsed.value();
    }
}
