package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.rule;
import static dev.trellis.proxy.Snapshots.snapshot;
import static dev.trellis.proxy.Snapshots.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.Match;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pooled upstream connections, against a raw upstream that answers the first request of each
 * connection and closes the connection under the second one, as an endpoint closing an idle
 * keep-alive connection just as the proxy reuses it does.
 */
class UpstreamConnectionsIT {
    final ProxyHarness proxy = SharedProxy.get();
    ClosingUpstream upstream;

    @BeforeEach
    void start() throws IOException {
        upstream = new ClosingUpstream();
    }

    @AfterEach
    void stop() throws IOException {
        upstream.close();
    }

    @Test
    void anIdempotentRequestOnAConnectionClosedUnderItGoesOnceMoreOnANewConnection() throws Exception {
        route();

        List<List<String>> answers = exchange("GET /one HTTP/1.1\r\nHost: closing\r\n\r\n",
                "GET /two HTTP/1.1\r\nHost: closing\r\n\r\n");

        assertThat(answers.get(0)).last().isEqualTo("answer 1 on connection 1");
        assertThat(answers.get(1)).first().isEqualTo("HTTP/1.1 200 OK");
        assertThat(answers.get(1)).last().isEqualTo("answer 1 on connection 2");
    }

    @Test
    void aNonIdempotentRequestIsNotSentTwice() throws Exception {
        route();

        List<List<String>> answers = exchange("GET /one HTTP/1.1\r\nHost: closing\r\n\r\n",
                "POST /order HTTP/1.1\r\nHost: closing\r\nContent-Length: 9\r\n\r\none order");

        assertThat(answers.get(0)).first().isEqualTo("HTTP/1.1 200 OK");
        assertThat(answers.get(1)).first().isEqualTo("HTTP/1.1 502 Bad Gateway");
        assertThat(answers.get(1)).contains("x-trellis-error: reset");
        assertThat(upstream.connections.get()).isEqualTo(1);
    }

    /**
     * Sends the requests one after the other on one connection to the proxy, so they are served by
     * the same event loop and its pool of upstream connections.
     */
    private List<List<String>> exchange(String... requests) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", proxy.outboundPort)) {
            socket.setSoTimeout(5000);
            BufferedReader in = RawHttp.reader(socket);
            List<List<String>> answers = new ArrayList<>();
            for (String request : requests) {
                RawHttp.send(socket, request);
                answers.add(RawHttp.readResponse(in));
            }
            return answers;
        }
    }

    private void route() {
        Cluster cluster = new Cluster("closing/a", "closing", null, null, false, Cluster.LoadBalancer.ROUND_ROBIN,
                List.of(new Cluster.Endpoint("127.0.0.1", upstream.port())), null, null);
        assertThat(proxy.apply(snapshot(List.of(upstream("closing", rule("closing/default", Match.any(), "closing/a"))),
                List.of(cluster))).applied()).isTrue();
    }

    /** Answers the first request of each connection (keep-alive), then closes the connection when the second arrives. */
    static final class ClosingUpstream implements AutoCloseable {
        final AtomicInteger connections = new AtomicInteger();
        private final ServerSocket server;

        ClosingUpstream() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(this::accept);
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    int number = connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(socket, number));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void serve(Socket socket, int number) {
            try (socket) {
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                readRequest(in);
                byte[] body = ("answer 1 on connection " + number).getBytes(StandardCharsets.US_ASCII);
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                readRequest(in); // the second request: closed without an answer
            } catch (IOException e) {
                // the proxy went away: nothing to do
            }
        }

        private static void readRequest(BufferedReader in) throws IOException {
            int length = 0;
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
            }
            in.skip(length);
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
