import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Usage ingestion, run by bench/telemetry-ingest.sh against a control plane it started: N simulated
 * proxies (in this one process) register, then each sends a usage report with R route rows every
 * interval, spread evenly over the interval, for the given seconds. Measures the POST latency
 * (p50/p99/max), the CPU the control plane and its embedded PostgreSQL used (from /proc, the JVM
 * and every process under it) per report and per second, and the growth of the database's data
 * directory (without the recycled write-ahead log) per report, extrapolated to a day. Then times the metrics queries over the data written.
 * Before that, unless TRELLIS_BENCH_HISTORY_MINUTES=0, the first S proxies report one window for each
 * minute of the last hour (TRELLIS_BENCH_HISTORY_MINUTES, default 60), so the queries read a full hour.
 * Latency histograms in the reports are real HdrHistogram encodings, made by the control plane's
 * own HdrHistogram (its jar is on the class path).
 * With a warm-up, the proxies report for that many seconds first, unmeasured, so that the numbers are
 * of a control plane whose JIT compiler has compiled the ingest path (a replica runs for days; the
 * first minutes of C2 compiling are about a third of a cold 60-s run's CPU).
 *
 * TRELLIS_BENCH_PROFILER=<libasyncProfiler.so> profiles the control plane over the measured window
 * (TRELLIS_BENCH_PROFILE names the file, collapsed stacks).
 *
 * java -cp <HdrHistogram jar> TelemetryIngest.java <base-url> <api-key> <cp-pid> <csr-file> <data-dir> <proxies> <routes> <services> <seconds> <interval-s> [warm-up-s]
 */
public class TelemetryIngest {
    private static final Pattern TOKEN = Pattern.compile("\"token\":\"([^\"]+)\"");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(10)).build();

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String apiKey = args[1];
        long pid = Long.parseLong(args[2]);
        String csr = Files.readString(Path.of(args[3]));
        Path dataDir = Path.of(args[4]);
        int proxies = Integer.parseInt(args[5]);
        int routes = Integer.parseInt(args[6]);
        int services = Integer.parseInt(args[7]);
        int seconds = Integer.parseInt(args[8]);
        int interval = Integer.parseInt(args[9]);
        int warmUp = args.length > 10 ? Integer.parseInt(args[10]) : 0;
        int historyMinutes = Integer.parseInt(System.getenv().getOrDefault("TRELLIS_BENCH_HISTORY_MINUTES", "60"));

        List<String[]> fleet = register(base, apiKey, csr, proxies, services);
        List<String> histograms = histograms(16);
        history(base, apiKey, fleet, routes, services, histograms, historyMinutes);
        System.out.printf("registered %d proxies over %d services; sending %d reports/s (%d routes each) for %d s%s%n",
                proxies, services, proxies / interval, routes, seconds, warmUp > 0 ? " after " + warmUp + " s of warm-up" : "");

        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicLong failures = new AtomicLong();
        Map<String, AtomicLong> outcomes = new ConcurrentSkipListMap<>();
        AtomicLong sent = new AtomicLong();
        // Warm-up reports take sequences of their own, far above the measured ones (any distinct value will do).
        AtomicLong warmUpSequence = new AtomicLong(1_000_000_000_000L);
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        long postmaster = postmaster(dataDir);
        // Reports are sent from now on; they are measured from the end of the warm-up.
        long start = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmUp);
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        for (int p = 0; p < fleet.size(); p++) {
            String[] proxy = fleet.get(p);
            int index = p;
            long offset = TimeUnit.SECONDS.toNanos(interval) * p / fleet.size();
            clock.scheduleAtFixedRate(() -> {
                if (System.nanoTime() > end) return;
                boolean measured = System.nanoTime() >= start;
                long sequence = measured ? sent.incrementAndGet() : warmUpSequence.incrementAndGet();
                String body = report(sequence, index, proxy[1], routes, services, histograms, interval, Instant.now());
                Thread.ofVirtual().start(() -> {
                    long t0 = System.nanoTime();
                    String outcome;
                    try {
                        HttpResponse<Void> answer = HTTP.send(post(base + "/v1/fleet/usage", proxy[0], body), HttpResponse.BodyHandlers.discarding());
                        outcome = Integer.toString(answer.statusCode());
                    } catch (Exception e) {
                        outcome = e.getClass().getSimpleName();
                    }
                    if (measured) {
                        if (!outcome.equals("200")) failures.incrementAndGet();
                        outcomes.computeIfAbsent(outcome, o -> new AtomicLong()).incrementAndGet();
                        latencies.add(System.nanoTime() - t0);
                    }
                });
            }, offset, TimeUnit.SECONDS.toNanos(interval), TimeUnit.NANOSECONDS);
        }
        while (System.nanoTime() < start) Thread.sleep(Math.max(1, Math.min(200, (start - System.nanoTime()) / 1_000_000)));
        String profiler = System.getenv("TRELLIS_BENCH_PROFILER");
        if (profiler != null) profile(pid, profiler, "start,event=cpu,interval=1ms");
        long cpuBefore = cpuTicks(pid, postmaster);
        long jvmBefore = ownTicks(pid);
        long bytesBefore = size(dataDir);
        while (System.nanoTime() < end + TimeUnit.SECONDS.toNanos(5) && latencies.size() < sent.get() || System.nanoTime() < end) {
            Thread.sleep(200);
        }
        clock.shutdownNow();
        if (profiler != null) profile(pid, profiler, "stop,collapsed,file=" + PROFILE);
        double elapsed = (System.nanoTime() - start) / 1e9;
        long cpu = cpuTicks(pid, postmaster) - cpuBefore;
        long jvm = ownTicks(pid) - jvmBefore;
        long bytes = size(dataDir) - bytesBefore;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        long reports = sorted.size();
        double cpuSeconds = cpu / 100.0;
        System.out.printf("reports: %d in %.1f s (%.1f/s), failed %d; answers %s%n", reports, elapsed, reports / elapsed, failures.get(), outcomes);
        System.out.printf("POST /v1/fleet/usage: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", ms(sorted, 0.50), ms(sorted, 0.99),
                sorted.isEmpty() ? 0 : sorted.getLast() / 1e6);
        // Refused reports (503 past the group-commit bound) cost little: CPU is per report counted.
        long counted = reports - failures.get();
        System.out.printf("control plane + PostgreSQL CPU: %.1f s over %.1f s = %.2f cores; %.2f ms CPU per counted report%n",
                cpuSeconds, elapsed, cpuSeconds / elapsed, counted == 0 ? 0 : cpuSeconds * 1000 / counted);
        System.out.printf("   of which the control plane JVM %.1f s (%.2f ms per counted report), PostgreSQL %.1f s (%.2f ms per counted report)%n",
                jvm / 100.0, counted == 0 ? 0 : jvm * 10.0 / counted, (cpu - jvm) / 100.0, counted == 0 ? 0 : (cpu - jvm) * 10.0 / counted);
        // Proxies reporting every interval that one core takes, at the cost per report measured here.
        System.out.printf("=> proxies per core at this rate: %.0f (control plane JVM alone: %.0f)%n",
                cpu == 0 ? 0 : counted * interval / (cpu / 100.0), jvm == 0 ? 0 : counted * interval / (jvm / 100.0));
        double reportsPerDay = proxies * 86400.0 / interval;
        if (historyMinutes > 0) {
            System.out.println("database growth: not measured with a history (its folds' dead rows are vacuumed in the window);"
                    + " run with TRELLIS_BENCH_HISTORY_MINUTES=0 for it");
        } else System.out.printf("database growth: %d bytes for %d reports = %.0f bytes/report -> %.1f GB/day for %d proxies%n",
                bytes, reports, reports == 0 ? 0 : (double) bytes / reports, reports == 0 ? 0 : bytes / (double) reports * reportsPerDay / 1e9, proxies);
        System.out.printf("rows/day: usage_reports %.0f, usage_minutes %d per mesh, metric_minutes up to %d (services x routes x minutes, before roll-up)%n",
                reportsPerDay, 1440, (long) services * routes * 1440);

        // Queries over what was just written: one service's series and the summary, 1-hour window.
        Instant now = Instant.now();
        String series = base + "/v1/meshes/shop/metrics?service=svc-0&from=" + now.minusSeconds(3600) + "&to=" + now;
        String route = base + "/v1/meshes/shop/metrics?service=svc-1&route=route-1&from=" + now.minusSeconds(3600) + "&to=" + now;
        String summary = base + "/v1/meshes/shop/metrics/summary";
        for (String[] q : List.of(new String[]{"metrics (service, 1 h)", series}, new String[]{"metrics (route, 1 h)", route},
                new String[]{"metrics/summary", summary})) {
            List<Long> times = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(q[1])).header("Authorization", "Bearer " + apiKey).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() != 200) throw new IllegalStateException(q[0] + ": " + answer.statusCode() + " " + answer.body());
                if (i >= 10) times.add(System.nanoTime() - t0);
            }
            Collections.sort(times);
            System.out.printf("GET %s: p50 %.1f ms, p99 %.1f ms (50 calls after 10 warm-up)%n", q[0], ms(times, 0.5), ms(times, 0.99));
        }
    }

    /** Where the measured window's profile goes (collapsed stacks, one line per stack and its samples). */
    private static final String PROFILE = System.getenv().getOrDefault("TRELLIS_BENCH_PROFILE", "/tmp/telemetry-ingest.collapsed");

    /**
     * Starts or stops async-profiler in the control plane (the agent loaded through jcmd, which reads a
     * bare {@code key=value} as an argument of its own: the options go quoted).
     */
    private static void profile(long pid, String library, String options) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "JVMTI.agent_load", library, "\"" + options + "\"")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0 || !output.contains("return code: 0")) throw new IllegalStateException("async-profiler " + options + ": " + output);
        if (options.startsWith("stop")) System.out.println("profile of the measured window: " + PROFILE);
    }

    /**
     * The past the metrics queries read: for each of the last {@code minutes} minutes, one report (10 s of
     * it) from each of the first {@code services} proxies, so that a 1-hour question covers a full hour of
     * buckets, as it would on a mesh that has run for a while, and not only the minutes of the run.
     */
    private static void history(String base, String apiKey, List<String[]> fleet, int routes, int services, List<String> histograms, int minutes)
            throws Exception {
        if (minutes <= 0) return;
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        AtomicLong failed = new AtomicLong();
        AtomicLong sequence = new AtomicLong(2_000_000_000_000L);
        long t0 = System.nanoTime();
        int senders = Math.min(services, fleet.size());
        try (var executor = Executors.newFixedThreadPool(16)) {
            for (int m = minutes; m >= 1; m--) {
                Instant end = now.minusSeconds(60L * m).plusSeconds(15);
                for (int p = 0; p < senders; p++) {
                    String[] proxy = fleet.get(p);
                    String body = report(sequence.incrementAndGet(), p, proxy[1], routes, services, histograms, 10, end);
                    executor.submit(() -> {
                        HttpResponse<Void> answer = HTTP.send(post(base + "/v1/fleet/usage", proxy[0], body), HttpResponse.BodyHandlers.discarding());
                        if (answer.statusCode() != 200) failed.incrementAndGet();
                        return null;
                    });
                }
            }
        }
        if (failed.get() > 0) throw new IllegalStateException("history: " + failed.get() + " reports refused");
        // A metrics question folds what is pending, so the past is in its buckets before anything is measured.
        HttpResponse<String> summary = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/meshes/shop/metrics/summary"))
                .header("Authorization", "Bearer " + apiKey).timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (summary.statusCode() != 200) throw new IllegalStateException("history: summary " + summary.statusCode() + " " + summary.body());
        System.out.printf("history: %d reports over the last %d minutes, folded, in %.1f s%n", (long) minutes * senders, minutes, (System.nanoTime() - t0) / 1e9);
    }

    private static String report(long sequence, int proxy, String service, int routes, int services, List<String> histograms, int interval,
                                 Instant end) {
        Random random = new Random(sequence);
        StringBuilder rows = new StringBuilder();
        for (int r = 0; r < routes; r++) {
            int upstream = (proxy + r + 1) % services;
            if (r > 0) rows.append(',');
            rows.append("{\"direction\":\"outbound\",\"rule\":\"route-").append(upstream).append("/0\",\"upstream\":\"svc-").append(upstream)
                    .append("\",\"requests\":{\"2xx\":").append(50 + random.nextInt(50)).append(",\"5xx\":").append(random.nextInt(3))
                    .append("},\"bytesIn\":1000,\"bytesOut\":20000,\"retries\":0,\"breakerRejections\":0,\"latencyMicros\":\"")
                    .append(histograms.get(random.nextInt(histograms.size()))).append("\"}");
        }
        rows.append(",{\"direction\":\"inbound\",\"rule\":\"inbound\",\"upstream\":\"").append(service)
                .append("\",\"requests\":{\"2xx\":500},\"bytesIn\":1000,\"bytesOut\":20000,\"latencyMicros\":\"")
                .append(histograms.get(random.nextInt(histograms.size()))).append("\"}");
        return "{\"sequence\":" + sequence + ",\"windowStart\":\"" + end.minusSeconds(interval) + "\",\"windowEnd\":\"" + end
                + "\",\"uptimeSeconds\":100,\"snapshotVersion\":\"sha256:bench\",\"routes\":[" + rows + "]}";
    }

    private static List<String> histograms(int count) {
        List<String> encoded = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < count; i++) {
            org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(2);
            h.setAutoResize(true);
            for (int n = 0; n < 100; n++) h.recordValue(500 + (long) Math.abs(random.nextGaussian() * 20_000));
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(h.getNeededByteBufferCapacity());
            // Plain, as the proxy sends it; TRELLIS_BENCH_LATENCY=compressed sends the encoding proxies sent before.
            int length = "compressed".equals(System.getenv("TRELLIS_BENCH_LATENCY")) ? h.encodeIntoCompressedByteBuffer(buffer)
                    : h.encodeIntoByteBuffer(buffer);
            encoded.add(Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length)));
        }
        return encoded;
    }

    private static List<String[]> register(String base, String apiKey, String csr, int count, int services) throws Exception {
        List<String[]> fleet = Collections.synchronizedList(new ArrayList<>());
        try (var executor = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < count; i++) {
                String service = "svc-" + (i % services);
                executor.submit(() -> {
                    String minted = HTTP.send(post(base + "/v1/meshes/shop/join-tokens", apiKey, "{\"service\": \"" + service + "\"}"),
                            HttpResponse.BodyHandlers.ofString()).body();
                    Matcher token = TOKEN.matcher(minted);
                    if (!token.find()) throw new IllegalStateException("join token: " + minted);
                    String body = "{\"joinToken\": \"" + token.group(1) + "\", \"csr\": \"" + csr.replace("\n", "\\n") + "\"}";
                    HttpResponse<String> registered = HTTP.send(post(base + "/v1/fleet/register", null, body), HttpResponse.BodyHandlers.ofString());
                    Matcher proxyToken = TOKEN.matcher(registered.body());
                    if (registered.statusCode() != 201 || !proxyToken.find()) throw new IllegalStateException("registration: " + registered.body());
                    fleet.add(new String[]{proxyToken.group(1), service});
                    return null;
                });
            }
        }
        if (fleet.size() != count) throw new IllegalStateException("registered " + fleet.size() + " of " + count);
        return fleet;
    }

    private static HttpRequest post(String url, String token, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) request.header("Authorization", "Bearer " + token);
        return request.build();
    }

    /**
     * utime + stime of {@code pid}, of the embedded PostgreSQL's postmaster and of every process under
     * either, in clock ticks. (pg_ctl starts the postmaster and exits, so the postmaster is not under
     * the JVM: it is found by its data directory.)
     */
    private static long cpuTicks(long pid, long postmaster) throws Exception {
        long total = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    long id = Long.parseLong(proc.getFileName().toString());
                    if (id != pid && id != postmaster && !descends(id, pid) && !descends(id, postmaster)) continue;
                    String stat = Files.readString(proc.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    total += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                } catch (Exception gone) {
                    // the process ended while read
                }
            }
        }
        return total;
    }

    /** The process whose command line names the control plane's home (the embedded PostgreSQL's data directory is under it). */
    private static long postmaster(Path home) throws Exception {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String command = new String(Files.readAllBytes(proc.resolve("cmdline"))).replace('\0', ' ');
                    if (command.contains("postgres") && command.contains(" -D ") && command.contains(home.toString())) {
                        return Long.parseLong(proc.getFileName().toString());
                    }
                } catch (Exception gone) {
                    // the process ended while read
                }
            }
        }
        throw new IllegalStateException("no PostgreSQL process with a data directory under " + home);
    }

    /** utime + stime of {@code pid} alone (the control plane JVM), in clock ticks. */
    private static long ownTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static boolean descends(long id, long ancestor) throws Exception {
        for (int depth = 0; depth < 8 && id > 1; depth++) {
            String stat = Files.readString(Path.of("/proc/" + id + "/stat"));
            long parent = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
            if (parent == ancestor) return true;
            id = parent;
        }
        return false;
    }

    private static long size(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            // The write-ahead log's segments are recycled, not kept: only the tables and indexes count.
            return files.filter(Files::isRegularFile).filter(p -> !p.toString().contains("/pg_wal/")).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (Exception e) {
                    return 0;
                }
            }).sum();
        }
    }

    private static double ms(List<Long> sorted, double quantile) {
        if (sorted.isEmpty()) return 0;
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1)) / 1e6;
    }
}
