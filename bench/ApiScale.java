import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * API scale, run by bench/api-scale.sh against a control plane it started: builds the compiler
 * benchmark's mesh (config-compiler's LargeMesh: STRICT, two versions and four endpoints per
 * service, each service allowed to call 5-10 others by one ACCESS policy per callee, a TIMEOUT on
 * every fourth service, the same seed and draws) through the REST API, one write at a time, timing
 * every write as the mesh grows; then times route updates (a canary weight moved) on the full mesh.
 * Endpoints are static ("endpoints" in the service documents) rather than registered by proxies.
 *
 * With the control plane's pid, the route updates also report the CPU time they cost the control
 * plane's JVM and its PostgreSQL processes (from /proc), which does not grow when other work on
 * the machine makes the wall-clock times wait for a core.
 *
 * java ApiScale.java <base-url> <api-key> [services, default 2000] [routes, default = services] [updates, default 300] [tsv file]
 *      [control plane pid] [text in the command line of its PostgreSQL, e.g. its home directory]
 */
public class ApiScale {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static String base;
    private static String key;
    private static final List<String> tsv = new ArrayList<>(List.of("phase\twrite\tmesh_resources\tmillis"));
    private static int resources;

    public static void main(String[] args) throws Exception {
        base = args[0];
        key = args[1];
        int serviceCount = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        int routeCount = args.length > 3 ? Integer.parseInt(args[3]) : serviceCount;
        int updates = args.length > 4 ? Integer.parseInt(args[4]) : 300;
        Path out = args.length > 5 && !args[5].isEmpty() ? Path.of(args[5]) : null;
        long pid = args.length > 6 ? Long.parseLong(args[6]) : -1;
        String postgresMarker = args.length > 7 ? args[7] : null;

        Random random = new Random(42);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < serviceCount; i++) names.add("svc-" + i);
        System.out.printf("| %-34s | %6s | %9s | %9s | %9s | %9s |%n", "phase", "writes", "median", "p90", "p99", "max");
        System.out.println("|------------------------------------|--------|-----------|-----------|-----------|-----------|");
        put("/v1/meshes/big", "{\"mtls\": \"STRICT\"}");
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < serviceCount; i++) {
            String endpoints = "";
            for (int e = 0; e < 4; e++) {
                endpoints += (e == 0 ? "" : ", ") + "{\"address\": \"10." + (i / 250) + "." + (i % 250) + "." + e
                        + "\", \"port\": 8080, \"version\": \"" + (e % 2 == 0 ? "v1" : "v2") + "\"}";
            }
            times.add(timed("services", "/v1/meshes/big/services/" + names.get(i), "{\"protocol\": \"http\", \"port\": 8080,"
                    + " \"versions\": [{\"name\": \"v1\"}, {\"name\": \"v2\"}], \"endpoints\": [" + endpoints + "]}"));
            checkpoint("services", times, i + 1, serviceCount);
        }
        Map<String, List<String>> allowed = new TreeMap<>();
        for (String caller : names) {
            Set<String> callees = new LinkedHashSet<>();
            int k = 5 + random.nextInt(6);
            while (callees.size() < k) {
                String callee = names.get(random.nextInt(serviceCount));
                if (!callee.equals(caller)) callees.add(callee);
            }
            for (String callee : callees) {
                String methods = random.nextBoolean() ? "" : ", \"methods\": [\"GET\", \"POST\"]";
                allowed.computeIfAbsent(callee, c -> new ArrayList<>()).add("{\"from\": {\"service\": \"" + caller + "\"}" + methods + "}");
            }
        }
        times.clear();
        int n = 0;
        for (var e : allowed.entrySet()) {
            times.add(timed("access-policies", "/v1/meshes/big/policies/access-" + e.getKey(), "{\"kind\": \"ACCESS\", \"target\": {\"service\": \""
                    + e.getKey() + "\"}, \"spec\": {\"allow\": [" + String.join(", ", e.getValue()) + "]}}"));
            checkpoint("ACCESS policies", times, ++n, allowed.size());
        }
        times.clear();
        n = 0;
        for (int i = 0; i < serviceCount; i += 4) {
            times.add(timed("timeout-policies", "/v1/meshes/big/policies/timeout-" + names.get(i), "{\"kind\": \"TIMEOUT\", \"target\": {\"service\": \""
                    + names.get(i) + "\"}, \"spec\": {\"timeout\": \"5s\"}}"));
            n++;
        }
        report("TIMEOUT policies", times);
        times.clear();
        for (int r = 0; r < routeCount; r++) {
            times.add(timed("routes", "/v1/meshes/big/routes/route-" + r, route(names.get(r % serviceCount), r, 90)));
            checkpoint("routes", times, r + 1, routeCount);
        }
        // Warm-up, then the measured updates: one route's canary weight moves each time (a real change).
        Random pick = new Random(7);
        for (int i = 0; i < 30; i++) {
            int r = pick.nextInt(routeCount);
            timed("warm-up", "/v1/meshes/big/routes/route-" + r, route(names.get(r % serviceCount), r, 50 + i % 40));
        }
        times.clear();
        long[] cpuBefore = pid > 0 ? cpuTicks(pid, postgresMarker) : null;
        for (int i = 0; i < updates; i++) {
            int r = pick.nextInt(routeCount);
            times.add(timed("route-updates", "/v1/meshes/big/routes/route-" + r, route(names.get(r % serviceCount), r, 51 + i % 40)));
        }
        report("route update (full mesh)", times);
        if (cpuBefore != null) {
            long[] cpuAfter = cpuTicks(pid, postgresMarker);
            double tick = 1000.0 / 100; // USER_HZ is 100 on Linux
            System.out.printf("CPU per route update: control plane JVM %.1f ms, PostgreSQL %.1f ms%n",
                    (cpuAfter[0] - cpuBefore[0]) * tick / updates, (cpuAfter[1] - cpuBefore[1]) * tick / updates);
        }
        System.out.println("mesh: " + serviceCount + " services, " + allowed.size() + " ACCESS and " + ((serviceCount + 3) / 4)
                + " TIMEOUT policies, " + routeCount + " routes");
        if (out != null) Files.write(out, tsv);
    }

    /**
     * CPU ticks (utime + stime) of the control plane's JVM, and of its PostgreSQL: the processes whose
     * command line names {@code postgresMarker} (the postmaster, started with the data directory
     * under the control plane's home, runs detached from the JVM) and their descendants (backends).
     */
    private static long[] cpuTicks(long pid, String postgresMarker) throws Exception {
        Map<Long, Long> parents = new TreeMap<>();
        Map<Long, Long> ticks = new TreeMap<>();
        Set<Long> postgresRoots = new java.util.HashSet<>();
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path dir : dirs.toList()) {
                if (!dir.getFileName().toString().matches("\\d+")) continue;
                try {
                    String stat = Files.readString(dir.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long id = Long.parseLong(dir.getFileName().toString());
                    parents.put(id, Long.parseLong(f[1]));
                    ticks.put(id, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                    if (postgresMarker != null && id != pid
                            && new String(Files.readAllBytes(dir.resolve("cmdline"))).contains(postgresMarker)) postgresRoots.add(id);
                } catch (Exception gone) {
                    // The process ended while listed.
                }
            }
        }
        long postgres = 0;
        for (long id : ticks.keySet()) {
            for (long p = id; p > 1; p = parents.getOrDefault(p, 0L)) {
                if (postgresRoots.contains(p)) {
                    postgres += ticks.get(id);
                    break;
                }
            }
        }
        return new long[]{ticks.getOrDefault(pid, 0L), postgres};
    }

    private static String route(String service, int r, int v1) {
        return "{\"service\": \"" + service + "\", \"rules\": ["
                + "{\"match\": {\"pathPrefix\": \"/api/" + r + "\", \"methods\": [\"GET\"], \"headers\": [{\"name\": \"x-canary\", \"exact\": \"1\"}]},"
                + " \"backends\": [{\"service\": \"" + service + "\", \"version\": \"v1\", \"weight\": " + v1 + "},"
                + " {\"service\": \"" + service + "\", \"version\": \"v2\", \"weight\": " + (100 - v1) + "}],"
                + " \"timeout\": \"2s\", \"retry\": {\"attempts\": 2, \"perTryTimeout\": \"500ms\", \"retryOn\": [\"5xx\", \"reset\"], \"budgetPercent\": 20}},"
                + " {\"match\": {\"pathPrefix\": \"/api/" + r + "\"}, \"backends\": [{\"service\": \"" + service + "\", \"version\": \"v1\", \"weight\": 100}]}]}";
    }

    /** Every quarter of a phase (the last one takes the rest): the times of the writes since the previous report. */
    private static void checkpoint(String phase, List<Long> times, int done, int total) {
        int quarter = Math.max(1, total / 4);
        if ((done % quarter != 0 || total - done < quarter) && done != total) return;
        report(phase + " " + (done - times.size() + 1) + "-" + done, times);
        times.clear();
    }

    private static void report(String phase, List<Long> nanos) {
        if (nanos.isEmpty()) return;
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        System.out.printf("| %-34s | %6d | %9s | %9s | %9s | %9s |%n", phase, sorted.size(), ms(sorted, 0.5), ms(sorted, 0.9),
                ms(sorted, 0.99), ms(sorted, 1.0));
    }

    private static String ms(List<Long> sorted, double quantile) {
        int index = (int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(quantile * sorted.size()) - 1));
        return String.format("%.1f ms", sorted.get(index) / 1e6);
    }

    private static long timed(String phase, String path, String body) throws Exception {
        long start = System.nanoTime();
        put(path, body);
        long took = System.nanoTime() - start;
        tsv.add(phase + "\t" + path + "\t" + (++resources) + "\t" + String.format("%.2f", took / 1e6));
        return took;
    }

    private static void put(String path, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("PUT " + path + " answered " + response.statusCode() + ": " + response.body());
        }
    }
}
