package dev.trellis.e2e;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The production topology on one machine: one real PostgreSQL (embedded, started here once and
 * shared through {@code SPRING_DATASOURCE_URL}), control-plane replicas as their own processes of
 * the built jar, each with its own {@code TRELLIS_HOME} (they share nothing but the database and the
 * master key from the environment), and a real HAProxy in front that health-checks {@code /readyz}.
 * A replaced replica comes back on its port, as a new pod comes back behind its Service.
 */
final class Replicas implements AutoCloseable {
    static final String HAPROXY = "/usr/sbin/haproxy";
    /** SIGTERM to exit: short, so the test's rolling upgrade is quick; HAProxy marks a replica down within 1 s. */
    static final Duration DRAIN = Duration.ofSeconds(2);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    final Path work;
    final int databasePort = Launched.freePort();
    final int balancerPort = Launched.freePort();
    private final int statsPort = Launched.freePort();
    private final String masterKey;
    final List<Replica> replicas = new ArrayList<>();
    private EmbeddedPostgres postgres;
    private Launched haproxy;
    private Path haproxyLog;

    /** One replica's slot behind the balancer: its port, and the process serving it now. */
    final class Replica {
        final String name;
        final int port = Launched.freePort();
        private int generation;
        Launched process;

        Replica(String name) {
            this.name = name;
        }

        /** A new process of the control-plane jar on this slot's port (the first, or a replacement). */
        void start() {
            generation++;
            Map<String, String> environment = new HashMap<>(Map.of(
                    "TRELLIS_HOME", work.resolve("home-" + name + "-" + generation).toString(),
                    "TRELLIS_OPERATOR_KEY", ShopMesh.OPERATOR_KEY,
                    "TRELLIS_MASTER_KEY", masterKey,
                    "SPRING_DATASOURCE_URL", "jdbc:postgresql://127.0.0.1:" + databasePort + "/postgres",
                    "SPRING_DATASOURCE_USERNAME", "trellis_app",
                    "SPRING_DATASOURCE_PASSWORD", "",
                    "SPRING_FLYWAY_USER", "postgres",
                    "SPRING_FLYWAY_PASSWORD", ""));
            process = Launched.start("replica-" + name + "-" + generation, ShopMesh.CONTROL_PLANE_JAR, environment,
                    "--server.port=" + port, "--trellis.shutdown.drain=" + DRAIN.toMillis() + "ms");
        }

        void awaitReady(Duration within) throws InterruptedException {
            process.awaitStatus(url("/readyz"), 200, within);
        }

        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }
    }

    Replicas(String... names) {
        try {
            work = Files.createTempDirectory("trellis-replicas");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        masterKey = Base64.getUrlEncoder().withoutPadding().encodeToString(key);
        for (String name : names) replicas.add(new Replica(name));
    }

    Replica replica(String name) {
        return replicas.stream().filter(r -> r.name.equals(name)).findFirst().orElseThrow();
    }

    /** PostgreSQL on its fixed port and data directory, so a restart is the same server to every replica. */
    void startDatabase() {
        try {
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(work.resolve("postgres"))
                    .setCleanDataDirectory(false)
                    .setPort(databasePort)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "200")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void stopDatabase() {
        try {
            if (postgres != null) postgres.close();
            postgres = null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every replica at once (the first to reach the database migrates it; Flyway's lock makes the others wait), then ready. */
    void startAll(Duration within) throws InterruptedException {
        for (Replica replica : replicas) replica.start();
        for (Replica replica : replicas) replica.awaitReady(within);
    }

    /** Starts again PostgreSQL and every replica whose process is gone (after a test that stopped one failed half-way, say). */
    void ensureRunning(Duration within) throws InterruptedException {
        if (postgres == null) startDatabase();
        for (Replica replica : replicas) {
            if (replica.process.alive()) continue;
            replica.start();
            replica.awaitReady(within);
            awaitInRotation(replica, true, Duration.ofSeconds(10));
        }
    }

    /** HAProxy in front of every replica, health-checking {@code /readyz} twice a second; its log in e2e-logs/haproxy-PORT.log. */
    void startBalancer() throws InterruptedException {
        try {
            Path config = work.resolve("haproxy.cfg");
            Files.writeString(config, haproxyConfig());
            // A log of its own each run: HAProxy writes its log from the start of the file, not at its end.
            String name = "haproxy-" + balancerPort;
            haproxyLog = Launched.ROOT.resolve("e2e/target/e2e-logs/" + name + ".log");
            Files.deleteIfExists(haproxyLog);
            haproxy = Launched.program(name, Map.of(), HAPROXY, "-db", "-f", config.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        haproxy.awaitListening(balancerPort, Duration.ofSeconds(10));
        for (Replica replica : replicas) awaitInRotation(replica, true, Duration.ofSeconds(10));
    }

    /**
     * The balancer as an operator would configure it: readiness checks every 500 ms (down after 2
     * failures, up after 2 passes), a connection refused is retried on another replica, long polls
     * (held 30 s) fit in the server timeout, and with every replica down (a database outage makes
     * them all unready) the balancer itself answers as a replica would: 503, Retry-After, a problem document.
     */
    private String haproxyConfig() {
        StringBuilder servers = new StringBuilder();
        for (Replica replica : replicas) {
            servers.append("  server ").append(replica.name).append(" 127.0.0.1:").append(replica.port).append(" check\n");
        }
        return """
                global
                  log stdout format raw local0 info
                defaults
                  mode http
                  log global
                  option httplog
                  timeout connect 1s
                  timeout client 60s
                  timeout server 45s
                  timeout check 4s
                  timeout http-keep-alive 10s
                  retries 3
                  option redispatch
                  retry-on conn-failure empty-response
                frontend api
                  bind 127.0.0.1:%d
                  default_backend replicas
                backend replicas
                  balance roundrobin
                  option httpchk
                  http-check send meth GET uri /readyz
                  http-check expect status 200
                  default-server inter 500ms fall 2 rise 2
                  http-error status 503 content-type application/problem+json string '{"type":"about:blank","title":"Service unavailable","status":503,"detail":"no control-plane replica is ready; retry shortly"}' hdr Retry-After 1
                %s
                listen stats
                  bind 127.0.0.1:%d
                  stats enable
                  stats uri /stats
                """.formatted(balancerPort, servers, statsPort);
    }

    /** Waits until the balancer's health checks have the replica fully UP (or DOWN). */
    void awaitInRotation(Replica replica, boolean up, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        String status = "";
        while (System.nanoTime() < deadline) {
            status = status(replica);
            if (up ? status.equals("UP") : status.startsWith("DOWN")) return;
            Thread.sleep(100);
        }
        throw new IllegalStateException("replica " + replica.name + " not " + (up ? "UP" : "DOWN") + " within " + within + ": " + status);
    }

    /** The balancer's view of a replica (UP, DOWN, "UP 1/2" while it changes its mind), from its stats CSV. */
    String status(Replica replica) {
        try {
            String csv = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/stats;csv"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
            List<String> lines = csv.lines().toList();
            List<String> header = Arrays.asList(lines.getFirst().replaceFirst("^# ", "").split(","));
            int column = header.indexOf("status");
            return lines.stream().skip(1).map(l -> l.split(",", -1))
                    .filter(f -> f[0].equals("replicas") && f[1].equals(replica.name))
                    .map(f -> f[column]).findFirst().orElse("");
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** How much the balancer has logged so far: {@link #loggedSince} reads what came after. */
    long logMark() {
        try {
            return Files.size(haproxyLog);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The balancer's request log lines since {@code mark}, one per finished request (long polls when they end). */
    List<String> loggedSince(long mark) {
        try {
            byte[] all = Files.readAllBytes(haproxyLog);
            return new String(all, (int) mark, all.length - (int) mark).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String balancerUrl(String path) {
        return "http://127.0.0.1:" + balancerPort + path;
    }

    @Override
    public void close() throws InterruptedException {
        for (Replica replica : replicas) {
            if (replica.process != null) replica.process.stop();
        }
        if (haproxy != null) haproxy.stop();
        stopDatabase();
    }
}
