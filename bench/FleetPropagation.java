import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.SnapshotJson;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fleet propagation, run by bench/fleet-propagation.sh against a control plane it started:
 * N simulated proxies (long-poll clients in this one process) register with join tokens, hold
 * their polls, and each API write is timed until every proxy received the new snapshot and until
 * it reported it applied. A proxy has "received" a snapshot only once it holds the whole body, the
 * version matches the ETag, and the body was parsed and checked as the real proxy does
 * ({@link SnapshotJson#read}: consistency and the content hash against the version) or equals byte
 * for byte a body of that version that was (see {@link #CHECKED}). Each proxy starts by taking
 * its first snapshot the same way. Peer in the same run: the same N clients reading the snapshot
 * with a plain GET all at once. Memory: the control plane's RSS and used heap (after a full GC)
 * with no poll held and with N held (summed over the replicas when it runs behind a balancer).
 *
 * java -cp <config-compiler and Jackson jars> FleetPropagation.java <base-url> <api-key> <control-plane-pid[,pid…]> <csr-file> [proxies] [writes]
 */
public class FleetPropagation {
    private static final Pattern TOKEN = Pattern.compile("\"token\":\"([^\"]+)\"");
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String apiKey = args[1];
        // One control plane, or every replica behind the balancer (comma-separated): memory is their sum.
        List<Long> pids = java.util.Arrays.stream(args[2].split(",")).map(Long::parseLong).toList();
        String csr = Files.readString(Path.of(args[3]));
        int proxies = args.length > 4 ? Integer.parseInt(args[4]) : 1000;
        int writes = args.length > 5 ? Integer.parseInt(args[5]) : 5;

        List<String> tokens = register(base, apiKey, csr, proxies);
        String version = initialSnapshots(base, tokens);

        List<Long> peer = peer(base, apiKey, proxies);

        List<Long> received = Collections.synchronizedList(new ArrayList<>());
        List<Long> reported = Collections.synchronizedList(new ArrayList<>());
        for (int write = 0; write < writes; write++) {
            CountDownLatch all = new CountDownLatch(proxies);
            long[] writtenAt = new long[1];
            List<CompletableFuture<Void>> polls = new ArrayList<>();
            String have = version;
            ConcurrentLinkedQueue<String> versions = new ConcurrentLinkedQueue<>();
            List<Long> thisWrite = Collections.synchronizedList(new ArrayList<>());
            List<Long> thisWriteReported = Collections.synchronizedList(new ArrayList<>());
            for (String token : tokens) {
                polls.add(HTTP.sendAsync(get(base + "/v1/fleet/config?version=" + have, token), HttpResponse.BodyHandlers.ofByteArray())
                        .thenCompose(response -> {
                            String now = verified(response);
                            long at = System.nanoTime();
                            received.add(at - writtenAt[0]);
                            thisWrite.add(at - writtenAt[0]);
                            versions.add(now);
                            return HTTP.sendAsync(post(base + "/v1/fleet/status", token,
                                            "{\"version\": \"" + now + "\", \"result\": \"applied\"}"), HttpResponse.BodyHandlers.discarding())
                                    .thenAccept(status -> {
                                        if (status.statusCode() != 204) throw new IllegalStateException("status answered " + status.statusCode());
                                        long reportedAt = System.nanoTime() - writtenAt[0];
                                        reported.add(reportedAt);
                                        thisWriteReported.add(reportedAt);
                                        all.countDown();
                                    });
                        }));
            }
            Thread.sleep(3000);
            int v1 = write % 2 == 0 ? 10 : 90;
            long[] cpuBefore = cpuNow(pids);
            writtenAt[0] = System.nanoTime();
            HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/meshes/shop/routes/echo-split"))
                    .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(split(v1, 100 - v1))).build(), HttpResponse.BodyHandlers.ofString());
            long answered = System.nanoTime() - writtenAt[0];
            if (put.statusCode() != 200) throw new IllegalStateException("PUT answered " + put.statusCode() + ": " + put.body());
            if (!all.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("not every proxy applied write " + write);
            CompletableFuture.allOf(polls.toArray(CompletableFuture[]::new)).join();
            long[] cpuAfter = cpuNow(pids);
            version = versions.peek();
            if (versions.stream().anyMatch(v -> !v.equals(versions.peek()))) throw new IllegalStateException("proxies got different versions");
            // Where one write's time goes: the PUT (compile and commit, which sends the notification), then the fan-out.
            List<Long> sorted = thisWrite.stream().sorted().toList();
            List<Long> sortedReported = thisWriteReported.stream().sorted().toList();
            System.out.printf("write %d: PUT answered %d ms, first proxy received %d ms, p50 %d ms, last %d ms; reported p50 %d ms, last %d ms%n",
                    write + 1, answered / 1_000_000, ms(sorted, 0), ms(sorted, 0.5), ms(sorted, 1), ms(sortedReported, 0.5), ms(sortedReported, 1));
            // Who used the CPU from the PUT until the last report: is the simulated fleet itself the bottleneck?
            StringBuilder cpu = new StringBuilder();
            for (int i = 0; i < pids.size(); i++) cpu.append(i == 0 ? "" : " + ").append(cpuAfter[i] - cpuBefore[i]);
            System.out.printf("  CPU from the PUT to the last report: replicas %s ms, simulated proxies %d ms; load %s%n", cpu,
                    cpuAfter[pids.size()] - cpuBefore[pids.size()], Files.readString(Path.of("/proc/loadavg")).substring(0, 14));
            Thread.sleep(1000);
        }

        // Memory only once the writes are timed, so that no full GC (jcmd GC.run) runs right before a timed write.
        // Idle: every poll answered; then every proxy's poll held.
        Memory idle = Memory.of(pids);
        String have = version;
        List<CompletableFuture<HttpResponse<Void>>> parked = tokens.stream()
                .map(token -> HTTP.sendAsync(get(base + "/v1/fleet/config?version=" + have, token), HttpResponse.BodyHandlers.discarding()))
                .toList();
        Thread.sleep(3000);
        if (parked.stream().anyMatch(CompletableFuture::isDone)) throw new IllegalStateException("a poll was answered while it should be held");
        Memory held = Memory.of(pids);

        System.out.printf("| proxies (held long polls) | %d |%n", proxies);
        System.out.printf("| writes timed | %d |%n", writes);
        row("peer: %d concurrent plain GETs of the snapshot".formatted(proxies), peer);
        row("write → snapshot received by every proxy", received);
        row("write → applied and reported by every proxy", reported);
        System.out.printf("| control-plane replicas | %d |%n", pids.size());
        System.out.printf("| control plane RSS, no poll held | %.1f MiB |%n", idle.rss / 1048576.0);
        System.out.printf("| control plane RSS, %d polls held | %.1f MiB |%n", proxies, held.rss / 1048576.0);
        System.out.printf("| RSS per held poll | %.1f KiB |%n", (held.rss - idle.rss) / 1024.0 / proxies);
        System.out.printf("| used heap per held poll (after full GC) | %.1f KiB |%n", (held.heapUsed - idle.heapUsed) / 1024.0 / proxies);
        System.out.printf("| sockets open in the control plane, no poll held → %d held | %d → %d |%n", proxies, idle.sockets, held.sockets);
        if (!held.bytesByClass.isEmpty()) {
            System.out.printf("%nheap grown per held poll, by class (FLEET_HISTOGRAM):%n| class | per held poll |%n|---|---|%n");
            System.out.print(held.grownSince(idle, proxies, 15));
        }
    }

    private static List<String> register(String base, String apiKey, String csr, int count) throws Exception {
        List<String> tokens = Collections.synchronizedList(new ArrayList<>());
        try (var pool = Executors.newFixedThreadPool(8)) {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                done.add(pool.submit(() -> {
                    String minted = send(post(base + "/v1/meshes/shop/join-tokens", apiKey, "{\"service\": \"web\", \"version\": \"v1\"}")).body();
                    Matcher joinToken = TOKEN.matcher(minted);
                    if (!joinToken.find()) throw new IllegalStateException("no join token: " + minted);
                    String body = "{\"joinToken\": \"" + joinToken.group(1) + "\", \"csr\": \"" + csr.replace("\n", "\\n") + "\"}";
                    HttpResponse<String> registered = send(post(base + "/v1/fleet/register", null, body));
                    Matcher proxyToken = TOKEN.matcher(registered.body());
                    if (registered.statusCode() != 201 || !proxyToken.find()) throw new IllegalStateException("registration: " + registered.body());
                    tokens.add(proxyToken.group(1));
                    return null;
                }));
            }
            for (var f : done) f.get();
        }
        return tokens;
    }

    private static List<Long> peer(String base, String apiKey, int count) {
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            all.add(HTTP.sendAsync(get(base + "/v1/meshes/shop/snapshots/web", apiKey), HttpResponse.BodyHandlers.discarding())
                    .thenAccept(r -> {
                        if (r.statusCode() != 200) throw new IllegalStateException("GET answered " + r.statusCode());
                        latencies.add(System.nanoTime() - start);
                    }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        return latencies;
    }

    private static void row(String what, List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        System.out.printf("| %s | p50 %d ms, p99 %d ms, max %d ms (n=%d) |%n", what, ms(sorted, 0.50), ms(sorted, 0.99),
                sorted.getLast() / 1_000_000, sorted.size());
    }

    private static long ms(List<Long> sorted, double quantile) {
        return sorted.get((int) Math.max(0, Math.min(sorted.size() - 1, Math.ceil(quantile * sorted.size()) - 1))) / 1_000_000;
    }

    static String split(int v1, int v2) {
        return "{\"service\": \"echo\", \"rules\": [{\"match\": {\"pathPrefix\": \"/\"}, \"backends\": [{\"service\": \"echo\", \"version\": \"v1\", \"weight\": "
                + v1 + "}, {\"service\": \"echo\", \"version\": \"v2\", \"weight\": " + v2 + "}]}]}";
    }

    private static HttpRequest get(String url, String bearer) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + bearer).timeout(Duration.ofSeconds(90)).build();
    }

    private static HttpRequest post(String url, String bearer, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(90)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) request.header("Authorization", "Bearer " + bearer);
        return request.build();
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Bodies already parsed and checked in full, by version. Every simulated proxy shares this one
     * process's 2 cores with the control plane, where each real proxy has its own CPU: parsing the same
     * bytes N times here measured the clients' JVM, not the fan-out. So the first proxy to receive a
     * version parses and checks it in full; every other one compares its whole body byte for byte with
     * that checked body (same bytes, same parse). FLEET_PARSE_EACH=1 parses every body as before.
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, byte[]> CHECKED = new java.util.concurrent.ConcurrentHashMap<>();
    private static final boolean PARSE_EACH = "1".equals(System.getenv("FLEET_PARSE_EACH"));

    /** The snapshot's version, once the body parsed and checked as the proxy's applier does it (or equals, byte for byte, one that was). */
    private static String verified(HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) throw new IllegalStateException("poll answered " + response.statusCode());
        String etag = etag(response);
        byte[] checked = PARSE_EACH ? null : CHECKED.get(etag);
        if (checked != null && java.util.Arrays.equals(checked, response.body())) return etag;
        Snapshot snapshot = SnapshotJson.read(response.body());
        if (!etag.equals(snapshot.version())) throw new IllegalStateException("ETag " + etag + " but snapshot " + snapshot.version());
        CHECKED.putIfAbsent(etag, response.body());
        return etag;
    }

    /** CPU time (user + system, ms) a process has used so far, from /proc (the replicas' and this client's). */
    private static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10; // clock ticks of 10 ms
        } catch (IOException e) {
            return 0;
        }
    }

    private static long[] cpuNow(List<Long> pids) {
        long[] now = new long[pids.size() + 1];
        for (int i = 0; i < pids.size(); i++) now[i] = cpuMillis(pids.get(i));
        now[pids.size()] = cpuMillis(ProcessHandle.current().pid());
        return now;
    }

    /**
     * Each proxy's start-up: a poll without a version answers at once with the snapshot, which it
     * parses and checks. A 503 (with Retry-After: a burst of N start-ups can outwait the connection
     * pool) is retried after it, as the real proxy retries; how many were is printed.
     */
    private static String initialSnapshots(String base, List<String> tokens) {
        java.util.concurrent.atomic.AtomicInteger retried = new java.util.concurrent.atomic.AtomicInteger();
        var starts = Executors.newVirtualThreadPerTaskExecutor();
        List<String> versions = tokens.stream()
                .map(token -> CompletableFuture.supplyAsync(() -> firstPoll(base, token, retried), starts))
                .toList().stream().map(CompletableFuture::join).map(FleetPropagation::verified).distinct().toList();
        if (versions.size() != 1) throw new IllegalStateException("proxies started with different snapshots: " + versions);
        if (retried.get() > 0) System.out.printf("first polls answered 503 and retried: %d%n", retried.get());
        return versions.getFirst();
    }

    private static HttpResponse<byte[]> firstPoll(String base, String token, java.util.concurrent.atomic.AtomicInteger retried) {
        for (int attempt = 0; ; attempt++) {
            HttpResponse<byte[]> response = HTTP.sendAsync(get(base + "/v1/fleet/config", token), HttpResponse.BodyHandlers.ofByteArray()).join();
            var retryAfter = response.headers().firstValue("Retry-After");
            if (response.statusCode() != 503 || retryAfter.isEmpty() || attempt == 30) return response;
            retried.incrementAndGet();
            try {
                // Retry-After plus up to a second of jitter, as a fleet's backoff spreads it: 5,000 retries to the same second
                // came back as the same burst and were refused again, ten times over, on the loaded machine.
                Thread.sleep(Duration.ofSeconds(Long.parseLong(retryAfter.get())).plusMillis(java.util.concurrent.ThreadLocalRandom.current().nextInt(1000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return response;
            }
        }
    }

    private static String etag(HttpResponse<?> response) {
        return response.headers().firstValue("ETag").orElseThrow().replace("\"", "");
    }

    /**
     * The control plane's resident memory, its used heap right after a full GC and the sockets it
     * holds open (clients' connections, through the balancer or not, and its database connections),
     * summed over its replicas. FLEET_HISTOGRAM=1 also keeps each replica's class histogram (after
     * the same full GC), so that two measurements can say which objects the difference is made of.
     */
    record Memory(long rss, long heapUsed, long sockets, Map<String, Long> bytesByClass) {
        static Memory of(List<Long> pids) throws Exception {
            long rss = 0;
            long heap = 0;
            long sockets = 0;
            Map<String, Long> bytesByClass = new HashMap<>();
            for (long pid : pids) {
                Memory one = of(pid);
                rss += one.rss;
                heap += one.heapUsed;
                sockets += one.sockets;
                one.bytesByClass.forEach((type, bytes) -> bytesByClass.merge(type, bytes, Long::sum));
            }
            return new Memory(rss, heap, sockets, bytesByClass);
        }

        /** The classes whose instances grew most from {@code before} to this, in bytes per {@code per}. */
        String grownSince(Memory before, int per, int top) {
            StringBuilder table = new StringBuilder();
            bytesByClass.entrySet().stream()
                    .map(e -> Map.entry(e.getKey(), e.getValue() - before.bytesByClass.getOrDefault(e.getKey(), 0L)))
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .limit(top)
                    .forEach(e -> table.append("| %s | %.2f KiB |%n".formatted(e.getKey(), e.getValue() / 1024.0 / per)));
            return table.toString();
        }

        static Memory of(long pid) throws Exception {
            jcmd(pid, "GC.run");
            Thread.sleep(500);
            String info = jcmd(pid, "GC.heap_info");
            Matcher used = Pattern.compile("used (\\d+)K").matcher(info);
            long heap = used.find() ? Long.parseLong(used.group(1)) * 1024 : -1;
            long rss = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElse(-1);
            long sockets;
            try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                sockets = fds.filter(fd -> {
                    try {
                        return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                    } catch (IOException e) {
                        return false; // closed meanwhile
                    }
                }).count();
            }
            Map<String, Long> bytesByClass = new HashMap<>();
            if (System.getenv("FLEET_HISTOGRAM") != null) {
                // " num: instances bytes class-name (module)", after the full GC above
                Matcher row = Pattern.compile("(?m)^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)").matcher(jcmd(pid, "GC.class_histogram"));
                while (row.find()) bytesByClass.merge(row.group(2), Long.parseLong(row.group(1)), Long::sum);
            }
            return new Memory(rss, heap, sockets, bytesByClass);
        }

        private static String jcmd(long pid, String command) throws Exception {
            String java = ProcessHandle.current().info().command().orElse("java");
            Path jcmd = Path.of(java).resolveSibling("jcmd");
            Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes());
            process.waitFor();
            return out;
        }
    }
}
