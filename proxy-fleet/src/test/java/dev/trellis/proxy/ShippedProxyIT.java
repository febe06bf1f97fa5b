package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.rule;
import static dev.trellis.proxy.Snapshots.snapshot;
import static dev.trellis.proxy.Snapshots.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.SnapshotJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The proxy as shipped: started by {@code bin/trellis proxy} (production JVM settings) in its own
 * process, its RSS read from /proc. A short load of small requests stays far below what the JVM's
 * defaults take, and a 2 GiB download streams through without the RSS growing with it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ShippedProxyIT {
    static final StreamingBackend BACKEND = StreamingBackend.start();
    static final int OUTBOUND = ProxyHarness.freePort();
    static final int ADMIN = ProxyHarness.freePort();
    static Process proxy;
    static long readyMs;

    @BeforeAll
    static void launch() throws Exception {
        Path dir = Files.createTempDirectory("trellis-shipped");
        Path snapshotFile = dir.resolve("snapshot-input.json");
        Files.write(snapshotFile, SnapshotJson.write(snapshot(List.of(upstream("streams", rule("streams/0", Match.any(), "streams/a"))),
                List.of(Snapshots.cluster("streams/a", BACKEND.port()))).withComputedVersion()));
        long start = System.nanoTime();
        proxy = ShippedProcess.startReady(dir, snapshotFile, BACKEND.port(), OUTBOUND, ADMIN);
        readyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (proxy != null) {
            proxy.destroy();
            proxy.waitFor(10, TimeUnit.SECONDS);
        }
        BACKEND.close();
    }

    @Test
    void aShortLoadOfSmallRequestsStaysInTheSidecarBudget() throws Exception {
        HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", OUTBOUND)))
                .version(HttpClient.Version.HTTP_1_1).build();
        Semaphore slots = new Semaphore(16);
        List<CompletableFuture<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            slots.acquire();
            answers.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://streams/download?bytes=100")).build(),
                    HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode).whenComplete((s, e) -> slots.release()));
        }
        assertThat(answers.stream().map(CompletableFuture::join).filter(status -> status == 200)).hasSize(20_000);
        long rss = rssBytes();
        System.out.printf("shipped proxy: ready after %d ms (launch included), RSS after 20,000 requests %d MiB%n",
                readyMs, rss >> 20);
        // A JVM with its defaults is at 280-330 MiB here, the proxy as shipped ~105 MiB right after this
        // load (C2 still compiling; bench/proxy-memory.sh measures the settled 93-95 MiB): the issue's
        // loaded budget, 128 MiB, is the bound.
        assertThat(rss).isLessThan(128L << 20);
    }

    @Test
    void aTwoGibDownloadStreamsWithoutTheRssGrowingWithIt() throws Exception {
        assertThat(curlDownload(256L << 20, true)).startsWith("200 " + (256L << 20) + " "); // warm up the path
        String direct = curlDownload(1L << 30, false);
        long before = rssBytes();
        AtomicLong peak = new AtomicLong(before);
        Thread sampler = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(rssBytes(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long size = 2L << 30;
        String result = curlDownload(size, true);
        sampler.interrupt();
        assertThat(result).startsWith("200 " + size + " ");
        double proxiedRate = Double.parseDouble(result.split(" ")[2]);
        double directRate = Double.parseDouble(direct.split(" ")[2]);
        System.out.printf("shipped proxy: RSS %d MiB before a 2 GiB download, peak %d MiB during it; %.0f MB/s through"
                        + " the proxy, %.0f MB/s direct (%.2fx)%n", before >> 20, peak.get() >> 20, proxiedRate / 1e6,
                directRate / 1e6, proxiedRate / directRate);
        assertThat(peak.get() - before).as("RSS growth during 2 GiB").isLessThan(24L << 20);
        assertThat(peak.get()).isLessThan(128L << 20);
    }

    /** Status, bytes and bytes per second of a download through the proxy's outbound port, or straight from the backend. */
    private static String curlDownload(long bytes, boolean throughProxy) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{speed_download}"));
        if (throughProxy) command.addAll(List.of("-x", "http://127.0.0.1:" + OUTBOUND, "http://streams/download?bytes=" + bytes));
        else command.add("http://127.0.0.1:" + BACKEND.port() + "/download?bytes=" + bytes);
        Process curl = new ProcessBuilder(command).start();
        String result = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return result;
    }

    private static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(proxy.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no VmRSS for " + proxy.pid());
    }
}
