package dev.trellis.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** A built jar run as its own process, as an operator would run it, with its output in target/e2e-logs. */
final class Launched implements AutoCloseable {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private Process process;

    private Launched(String name, List<String> command, Map<String, String> environment) {
        this.name = name;
        this.command = command;
        this.environment = environment;
    }

    /** Starts {@code jar} (relative to the reactor root) with a small heap; {@code environment} adds to the test's. */
    static Launched start(String name, String jar, Map<String, String> environment, String... args) {
        // A copy elsewhere can be named (-Dtrellis.e2e.jars=dir), so a rebuild running meanwhile does not pull the jar away.
        String copies = System.getProperty("trellis.e2e.jars", "");
        Path jarPath = copies.isBlank() ? ROOT.resolve(jar) : Path.of(copies).resolve(Path.of(jar).getFileName());
        if (!Files.exists(jarPath)) throw new IllegalStateException(jarPath + " is missing: build the reactor first (mvn install)");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jarPath.toString()));
        command.addAll(List.of(args));
        Launched launched = new Launched(name, command, environment);
        launched.start();
        return launched;
    }

    /** Starts any program (HAProxy, say) as its own process, its output in target/e2e-logs like a jar's. */
    static Launched program(String name, Map<String, String> environment, String... command) {
        Launched launched = new Launched(name, List.of(command), environment);
        launched.start();
        return launched;
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    void start() {
        try {
            Path logs = Files.createDirectories(ROOT.resolve("e2e/target/e2e-logs"));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(name + ".log").toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until {@code url} answers {@code status}, failing early if the process died. */
    void awaitStatus(String url, int status, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException(name + " exited with " + process.exitValue() + ", see e2e/target/e2e-logs");
            try {
                HttpResponse<Void> answer = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (answer.statusCode() == status) return;
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " did not answer " + status + " on " + url + " within " + within);
    }

    /** Waits until something accepts TCP connections on {@code port}. */
    void awaitListening(int port, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException(name + " does not listen on " + port + " within " + within);
    }

    /** Stops the process as an orchestrator would (SIGTERM), so it can deregister and flush. */
    void stop() throws InterruptedException {
        if (process == null || !process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Sends SIGTERM and returns at once; {@link #stop()} then waits for the exit. */
    void terminate() {
        if (process != null && process.isAlive()) process.destroy();
    }

    /** Kills the process at once (SIGKILL), as a crash or an OOM kill would: it can neither deregister nor flush. */
    void kill() throws InterruptedException {
        if (process == null || !process.isAlive()) return;
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Ports handed out by {@link #freePort} in this JVM: none twice, even after its process let it go. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /**
     * A port nothing listens on, for a process to bind later. Taken below the kernel's ephemeral range
     * (32768–60999 by default): a port from {@code new ServerSocket(0)} is one of those, and any
     * outgoing connection of the many processes here (database pools, HAProxy, proxies) could take it
     * as its local port before the process bound it (FleetEndToEndIT once failed so, "Address already
     * in use" on a proxy's admin port).
     */
    static int freePort() {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            if (!HANDED_OUT.add(port)) continue;
            try (ServerSocket socket = new ServerSocket(port)) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // Someone listens there: another.
            }
        }
        throw new IllegalStateException("no free port between 20000 and 30000");
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
