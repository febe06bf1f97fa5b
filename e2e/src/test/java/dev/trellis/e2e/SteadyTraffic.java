package dev.trellis.e2e;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls from web to echo through web's proxy at a steady pace on its own thread, counting requests
 * and keeping every failure, so an outage can be judged by what callers saw during it.
 */
final class SteadyTraffic implements AutoCloseable {
    private static final Duration PACE = Duration.ofMillis(50);

    private final AtomicInteger requests = new AtomicInteger();
    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Thread caller;
    private volatile boolean running = true;

    private SteadyTraffic(HttpClient client) {
        caller = Thread.ofPlatform().daemon().name("steady-traffic").start(() -> {
            while (running) {
                String answer = ShopMesh.callOnce(client);
                requests.incrementAndGet();
                if (!answer.startsWith("echo ")) failures.add(answer);
                try {
                    Thread.sleep(PACE);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    static SteadyTraffic through(ShopMesh.Workload caller) {
        return new SteadyTraffic(caller.outboundClient());
    }

    int requests() {
        return requests.get();
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        caller.join(Duration.ofSeconds(10));
    }
}
