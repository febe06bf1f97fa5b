package dev.trellis.proxy.fleet;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import dev.trellis.proxy.routing.ActiveRoutes;
import dev.trellis.proxy.routing.RoutingTable;
import dev.trellis.proxy.snapshot.SnapshotApplier;
import dev.trellis.proxy.snapshot.SnapshotSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots from the control plane's long poll. One virtual thread registers once (join token and
 * CSR), renews the certificate two thirds into its life, polls, applies, and reports the verdict. The
 * seam's consumer does not return the applier's verdict, which the report needs, so this source
 * calls the {@link SnapshotApplier} itself. When the control plane cannot be reached the proxy keeps
 * serving its last applied snapshot and retries with a capped backoff; it catches up on the first answer.
 * A verdict the control plane did not take (unreachable, or 5xx/429: busy) is sent again before the
 * next poll, with the same backoff, so the fleet view never keeps a version the proxy left behind.
 * A second virtual thread offers the endpoint again every {@code heartbeat} once a snapshot is in
 * force, so the control plane can tell a dead proxy within seconds. When the proxy stops, before
 * any listener closes, the proxy withdraws its endpoint and waits {@code drain} for
 * callers to hear of it while it still serves them.
 */
final class ControlPlaneSnapshotSource implements SnapshotSource {
    private static final Logger log = LoggerFactory.getLogger(ControlPlaneSnapshotSource.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(250);
    private static final Duration LAST_RETRY = Duration.ofSeconds(5);

    private final ControlPlaneClient client;
    private final FleetIdentity identity;
    private final String joinToken;
    private final String service;
    private final SnapshotApplier applier;
    private final ActiveRoutes routes;
    private final EndpointOffer endpoint;
    private final Consumer<CertificateRenewed> renewed;
    private final Duration heartbeat;
    private final Duration drain;
    private volatile boolean running;
    private volatile Thread loop;
    private volatile Thread heartbeats;
    private boolean withdrawn;
    /** The last verdict not yet taken by the control plane; only the poll loop touches it. */
    private Map<String, String> unreported;

    ControlPlaneSnapshotSource(ControlPlaneClient client, FleetIdentity identity, String joinToken, String service,
                               SnapshotApplier applier, ActiveRoutes routes, EndpointOffer endpoint,
                               Consumer<CertificateRenewed> renewed, Duration heartbeat, Duration drain) {
        this.client = client;
        this.identity = identity;
        this.joinToken = joinToken;
        this.service = service;
        this.applier = applier;
        this.routes = routes;
        this.endpoint = endpoint;
        this.renewed = renewed;
        this.heartbeat = heartbeat;
        this.drain = drain;
    }

    @Override
    public void start(Consumer<byte[]> onCandidate) {
        running = true;
        loop = Thread.ofVirtual().name("fleet-long-poll").start(this::run);
        heartbeats = Thread.ofVirtual().name("fleet-heartbeat").start(this::beat);
    }

    private void beat() {
        while (running && pause(heartbeat)) {
            if (routes.current() == null || !identity.present()) continue;
            try {
                offerEndpoint();
            } catch (IOException e) {
                log.debug("heartbeat not delivered ({}); the poll loop reports the control plane's state", e.toString());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void run() {
        RoutingTable table = routes.current();
        String seen = table == null ? null : table.snapshot().version();
        Duration retry = FIRST_RETRY;
        while (running) {
            try {
                if (!identity.present()) register();
                if (Instant.now().isAfter(identity.renewAt())) renew();
                if (unreported != null) sendReport();
                ControlPlaneClient.Answer answer = client.poll(identity.token(), seen);
                if (answer.status() == 200) {
                    seen = answer.etag();
                    report(answer.etag(), applier.apply(answer.body(), describe()));
                } else if (answer.status() != 304) {
                    throw new IOException("the control plane answered " + answer.status() + " to a poll");
                }
                // Ready once a snapshot is in force (the inbound listener is open): offering the endpoint again is the heartbeat.
                if (routes.current() != null) offerEndpoint();
                retry = FIRST_RETRY;
            } catch (IOException e) {
                if (!running) return;
                log.warn("control plane unreachable or refusing ({}); serving snapshot {} meanwhile, retrying in {} ms",
                        e.toString(), seen, retry.toMillis());
                if (!pause(retry)) return;
                retry = retry.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retry.multipliedBy(2);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("fleet client failed; serving snapshot {} meanwhile, retrying in {} ms", seen, retry.toMillis(), e);
                if (!pause(retry)) return;
            }
        }
    }

    private void register() throws IOException, InterruptedException {
        if (joinToken == null || joinToken.isBlank()) {
            throw new IOException("no identity in the data directory and no TRELLIS_JOIN_TOKEN to register with");
        }
        KeyMaterial key = KeyMaterial.generate();
        ControlPlaneClient.Answer answer = client.register(joinToken, key.csr(service));
        // The reason (an unknown join token, the plan's proxy quota) goes into the proxy's log with the status.
        if (answer.status() != 201) throw new IOException("registration refused (" + answer.status() + "): " + answer.reason());
        identity.registered(key, answer.json());
        log.info("registered with {} as {}", client.describe(), answer.json().get("identity").asString());
    }

    private void renew() throws IOException, InterruptedException {
        KeyMaterial key = KeyMaterial.generate();
        ControlPlaneClient.Answer answer = client.renew(identity.token(), key.csr(service));
        if (answer.status() != 200) throw new IOException("certificate renewal refused (" + answer.status() + ")");
        identity.renewed(key, answer.json());
        log.info("certificate renewed, valid until {}", identity.notAfter());
        renewed.accept(new CertificateRenewed(identity.notAfter()));
    }

    private void offerEndpoint() throws IOException, InterruptedException {
        ControlPlaneClient.Answer answer = client.post("v1/fleet/endpoints", identity.token(),
                Map.of("address", endpoint.address(), "port", endpoint.port()));
        if (answer.status() != 204) log.warn("endpoint {} refused ({})", endpoint, answer.status());
    }

    private void report(String version, SnapshotApplier.Outcome outcome) {
        Map<String, String> report = new LinkedHashMap<>();
        report.put("version", version);
        report.put("result", outcome.applied() ? "applied" : "rejected");
        if (!outcome.applied()) report.put("reason", outcome.reason());
        // A newer verdict replaces one still unsent: only the latest says what the proxy serves.
        unreported = report;
        try {
            sendReport();
        } catch (IOException e) {
            log.warn("could not report {} of snapshot {} ({}); sending it again before the next poll",
                    report.get("result"), version, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sends the unreported verdict: taken (2xx) or refused for what it says (another 4xx, which sending
     * it again would not change), it is done; otherwise it stays to be sent again.
     */
    private void sendReport() throws IOException, InterruptedException {
        ControlPlaneClient.Answer answer = client.status(identity.token(), unreported);
        int status = answer.status();
        if (status >= 500 || status == 429) throw new IOException("the control plane answered " + status + " to a status report");
        if (status >= 300) log.warn("status report of snapshot {} refused ({})", unreported.get("version"), status);
        unreported = null;
    }

    private boolean pause(Duration duration) {
        try {
            Thread.sleep(duration);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    @Override
    public String describe() {
        return client.describe();
    }

    /** Before any port closes: the listeners are still open while callers move away. */
    @Override
    public void withdraw() {
        if (stopOnce() && !drain.isZero()) {
            log.info("endpoint {} withdrawn; serving callers for {} ms more before the listeners close", endpoint, drain.toMillis());
            pause(drain);
        }
    }

    @Override
    public void close() {
        stopOnce();
    }

    /** Stops polling and heartbeats, then withdraws the endpoint, once; true the first time. */
    private synchronized boolean stopOnce() {
        if (withdrawn) return false;
        withdrawn = true;
        running = false;
        for (Thread thread : new Thread[]{loop, heartbeats}) {
            if (thread == null) continue;
            thread.interrupt();
            try {
                thread.join(Duration.ofSeconds(1)); // no heartbeat may offer the endpoint again after the withdrawal
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        withdrawEndpoint();
        return true;
    }

    /** On shutdown callers stop being sent here at once instead of after missed heartbeats. */
    private void withdrawEndpoint() {
        try {
            if (identity.present()) client.delete("v1/fleet/endpoints", identity.token());
        } catch (IOException e) {
            log.info("could not withdraw endpoint {} ({}); the control plane drops it after missed heartbeats", endpoint, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
