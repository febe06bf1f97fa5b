package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.cluster;
import static dev.trellis.proxy.Snapshots.rule;
import static dev.trellis.proxy.Snapshots.snapshot;
import static dev.trellis.proxy.Snapshots.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.Retry;
import dev.trellis.compiler.snapshot.RouteRule;
import dev.trellis.compiler.snapshot.WeightedCluster;
import dev.trellis.proxy.exchange.Transport;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bodies stream through the proxy both ways: events keep their timing, a slow caller slows the
 * upstream instead of filling the proxy, uploads go as they arrive, and the replay buffer decides
 * which requests may be retried. Memory is the proxy's pooled buffer memory, sampled while bytes flow.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StreamingIT {
    static final StreamingBackend STREAMS = StreamingBackend.start();
    static final TestBackend FLAKY = TestBackend.start("flaky");
    /**
     * The most pooled buffer memory the proxies in this JVM may hold while a test moves hundreds of
     * MiB: the pool keeps 1 MiB chunks (and other tests' proxies share it), so this is far above one
     * connection's share and far below any body size used here.
     */
    static final long MAX_POOLED = 24L * 1024 * 1024;
    final ProxyHarness proxy = SharedProxy.get();

    @AfterAll
    static void stop() {
        STREAMS.close();
        FLAKY.close();
    }

    @BeforeEach
    void route() {
        Retry retry = new Retry(2, 0, List.of("5xx"), 0, 0, 100);
        RouteRule flaky = new RouteRule("flaky/0", Match.any(), List.of(new WeightedCluster("flaky/a", 1)), 0, retry,
                null, null, null, null);
        assertThat(proxy.apply(snapshot(List.of(upstream("streams", rule("streams/0", Match.any(), "streams/a")),
                        upstream("flaky", flaky)),
                List.of(Snapshots.cluster("streams/a", STREAMS.port()), cluster("flaky/a", FLAKY)))).applied()).isTrue();
        FLAKY.reset();
    }

    @Test
    void serverSentEventsArriveOneSecondApartAsTheyAreSent() throws Exception {
        List<Long> arrivals = new ArrayList<>();
        long start = System.nanoTime();
        HttpResponse<Stream<String>> response = proxy.client.send(proxy.request("http://streams/events").build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
        response.body().filter(line -> line.startsWith("data:"))
                .forEach(line -> arrivals.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));

        assertThat(arrivals).hasSize(4);
        assertThat(arrivals.getFirst()).isLessThan(800);
        for (int i = 1; i < arrivals.size(); i++) {
            assertThat(arrivals.get(i) - arrivals.get(i - 1)).as("gap before event %d", i + 1).isBetween(600L, 1500L);
        }
    }

    @Test
    void aSlowCallerSlowsTheUpstreamInsteadOfFillingTheProxy() throws Exception {
        long size = 512L * 1024 * 1024;
        long maxPooled = 0;
        long maxAhead = 0;
        try (Socket socket = new Socket("127.0.0.1", proxy.outboundPort)) {
            socket.setSoTimeout(10_000);
            socket.setReceiveBufferSize(64 * 1024);
            RawHttp.send(socket, "GET http://streams/download?bytes=" + size + " HTTP/1.1\r\nHost: streams\r\n\r\n");
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[16 * 1024];
            long read = 0;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            while (System.nanoTime() < until) { // ~3 MB/s, far slower than the upstream
                int n = in.read(buffer);
                assertThat(n).isPositive();
                read += n;
                Thread.sleep(5);
                maxPooled = Math.max(maxPooled, pooledBytesInUse());
                maxAhead = Math.max(maxAhead, STREAMS.written.get() - read);
            }
        }
        // The proxy holds no more than its pooled buffers; the upstream got ahead of the caller only by
        // what the kernel's socket buffers take (Linux grows a receive buffer up to tcp_rmem's maximum,
        // 32 MiB here), not by the 512 MiB it had to send.
        assertThat(maxPooled).isLessThan(MAX_POOLED);
        assertThat(maxAhead).isLessThan(96L * 1024 * 1024);
    }

    @Test
    void aLargeDownloadStreamsWithFlatMemory() throws Exception {
        long size = 1024L * 1024 * 1024;
        AtomicLong maxPooled = new AtomicLong();
        Thread sampler = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                maxPooled.accumulateAndGet(pooledBytesInUse(), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        Process curl = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                "-x", "http://127.0.0.1:" + proxy.outboundPort, "http://streams/download?bytes=" + size).start();
        String result = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(90, TimeUnit.SECONDS)).isTrue();
        sampler.interrupt();
        assertThat(result).isEqualTo("200 " + size);
        assertThat(maxPooled.get()).isPositive().isLessThan(MAX_POOLED); // positive: the sampler saw the pool
    }

    @Test
    void anUploadStreamsToTheUpstreamAsItArrives() throws Exception {
        long size = 256L * 1024 * 1024;
        AtomicLong maxPooled = new AtomicLong();
        HttpRequest upload = proxy.request("http://streams/upload").timeout(java.time.Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new Generated(size, () ->
                        maxPooled.accumulateAndGet(pooledBytesInUse(), Math::max))))
                .build();
        HttpResponse<String> response = proxy.send(upload);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(Long.toString(size));
        assertThat(STREAMS.lastTransferEncoding).isEqualTo("chunked"); // no length known: passed on in chunks
        assertThat(maxPooled.get()).isLessThan(MAX_POOLED);
    }

    @Test
    void aSmallBodyIsRetriedAndOneBeyondTheReplayBufferIsNot() {
        FLAKY.behave((hit, exchange) -> new TestBackend.Reply(hit == 0 ? 503 : 200, 0));
        HttpResponse<String> small = proxy.send(proxy.request("http://flaky/small")
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(60 * 1024))).build());
        assertThat(small.statusCode()).isEqualTo(200);
        assertThat(FLAKY.seen()).hasSize(2).allSatisfy(seen -> assertThat(seen.body()).hasSize(60 * 1024));

        FLAKY.reset().behave((hit, exchange) -> new TestBackend.Reply(hit == 0 ? 503 : 200, 0));
        HttpResponse<String> large = proxy.send(proxy.request("http://flaky/large")
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(200 * 1024))).build());
        // Sent once: the first 64 KiB left the replay buffer, so the upstream's 503 is the answer.
        assertThat(large.statusCode()).isEqualTo(503);
        assertThat(FLAKY.seen()).hasSize(1);
        assertThat(FLAKY.seen().getFirst().body()).hasSize(200 * 1024);
    }

    private static long pooledBytesInUse() {
        PooledByteBufAllocator allocator = (PooledByteBufAllocator) Transport.allocator();
        return allocator.metric().usedDirectMemory() + allocator.metric().usedHeapMemory();
    }

    /** {@code size} bytes made up as they are read, calling {@code onRead} every 4 MiB. */
    private static final class Generated extends InputStream {
        private long left;
        private long sinceSample;
        private final Runnable onRead;

        Generated(long size, Runnable onRead) {
            this.left = size;
            this.onRead = onRead;
        }

        @Override
        public int read() {
            if (left == 0) return -1;
            left--;
            return 'x';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) return -1;
            int n = (int) Math.min(len, left);
            left -= n;
            sinceSample += n;
            if (sinceSample >= 4 * 1024 * 1024) {
                sinceSample = 0;
                onRead.run();
            }
            return n;
        }
    }
}
