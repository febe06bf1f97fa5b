package dev.trellis.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.compiler.snapshot.Inbound;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * WebSocket through the inbound port to a real WebSocket server, with the JDK's WebSocket client:
 * the upgrade is access-checked like any request, then messages flow both ways until a side
 * closes, the idle limit (2 s here) or the total limit (5 s here) cuts it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketIT {
    static final WebSocketServer APP = new WebSocketServer();
    static ProxyHarness proxy;
    final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        proxy = new ProxyHarness(APP.port(), ProxyHarness.tempDir("ws"),
                "--trellis.http.stream-idle-timeout=2s", "--trellis.http.upgrade-max-duration=5s");
        AccessControl access = new AccessControl(AccessControl.Action.ALLOW,
                List.of(new AccessControl.AccessRule(AccessControl.Action.DENY, List.of(), List.of("/private"), List.of(), "deny-private")));
        assertThat(proxy.apply(Snapshots.snapshot(new Inbound("http", APP.port(), access, null, null), List.of(), List.of()))
                .applied()).isTrue();
    }

    @AfterAll
    static void stop() {
        proxy.close();
        APP.close();
    }

    @Test
    void messagesFlowBothWaysUntilTheClientCloses() throws Exception {
        Messages messages = new Messages();
        WebSocket socket = connect("/chat", messages);
        for (int i = 0; i < 20; i++) {
            socket.sendText("hello " + i, true).get(5, TimeUnit.SECONDS);
            assertThat(messages.next()).isEqualTo("echo: hello " + i);
        }
        String big = "0123456789".repeat(20_000);
        socket.sendText(big, true).get(5, TimeUnit.SECONDS);
        String echoed = messages.next();
        assertThat(echoed.length()).isEqualTo(big.length() + 6);
        assertThat(echoed.equals("echo: " + big)).as("the 200 KB message comes back intact").isTrue();
        int closedBefore = APP.closedByPeer.get();
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        assertThat(messages.closed.get(5, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
        await().atMost(Duration.ofSeconds(5)).until(() -> APP.closedByPeer.get() > closedBefore);
    }

    @Test
    void theUpgradeIsAccessCheckedLikeAnyRequest() {
        assertThatThrownBy(() -> connect("/private/chat", new Messages()))
                .hasCauseInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(403));
    }

    @Test
    void anIdleConnectionIsCutAfterTheIdleLimit() throws Exception {
        Messages messages = new Messages();
        WebSocket socket = connect("/chat", messages);
        socket.sendText("once", true).get(5, TimeUnit.SECONDS);
        assertThat(messages.next()).isEqualTo("echo: once");
        long start = System.nanoTime();
        messages.closedOrFailed.get(10, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(1500L, 4000L);
    }

    @Test
    void aBusyConnectionIsCutAtTheTotalLimit() throws Exception {
        Messages messages = new Messages();
        long start = System.nanoTime();
        WebSocket socket = connect("/chat", messages);
        while (!messages.closedOrFailed.isDone() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
            socket.sendText("tick", true);
            Thread.sleep(500); // never idle for 2 s
        }
        assertThat(messages.closedOrFailed).isDone();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(4500L, 7000L);
    }

    private WebSocket connect(String path, Messages messages) throws Exception {
        try {
            return client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(URI.create("ws://127.0.0.1:" + proxy.inboundPort + path), messages).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e;
        }
    }

    /** Collects text messages and how the connection ended. */
    static final class Messages implements WebSocket.Listener {
        final LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final CompletableFuture<Object> closedOrFailed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                texts.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            closedOrFailed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closedOrFailed.complete(error);
        }

        String next() throws InterruptedException {
            String text = texts.poll(5, TimeUnit.SECONDS);
            assertThat(text).as("a message within 5 s").isNotNull();
            return text;
        }
    }
}
