package dev.trellis.controlplane.health;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.List;

/**
 * A replica's graceful exit on SIGTERM, in the order a load balancer needs: {@code /readyz} answers
 * 503 at once, the replica keeps serving for {@code trellis.shutdown.drain} (default 5 s: longer than
 * the balancer's health checks take to mark it down, and than Kubernetes takes to drop the pod from
 * its Service) while new requests move to other replicas, then every {@link Drainable} ends what it
 * holds (held long polls answer 304, so proxies re-poll elsewhere at once), and only then does the
 * web server stop accepting and wait for the requests in flight ({@code server.shutdown=graceful}).
 * The first lifecycle to stop (highest phase): the web server and the snapshot notifications stop after it.
 */
@Component
class Shutdown implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(Shutdown.class);

    private final List<Drainable> drainables;
    private final Duration drain;
    private volatile boolean running;
    private volatile boolean draining;

    Shutdown(List<Drainable> drainables, @Value("${trellis.shutdown.drain:5s}") Duration drain) {
        this.drainables = drainables;
        this.drain = drain;
    }

    /** True from the moment the replica was asked to stop: it is no longer ready for new work. */
    boolean draining() {
        return draining;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        draining = true;
        log.info("stopping: not ready from now on; serving for {} ms more while the load balancer moves away", drain.toMillis());
        try {
            Thread.sleep(drain);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Drainable drainable : drainables) drainable.drained();
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }
}
