package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.MESH;
import static dev.trellis.proxy.Snapshots.rule;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocket;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.compiler.snapshot.AccessControl.AccessRule;
import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.Inbound;
import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.MtlsMode;
import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.Upstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code protocol: "tcp"} through real proxies to real TCP servers: an app's connection to
 * 127.0.0.1:&lt;the upstream's port&gt; crosses its proxy and, over mTLS, the callee's proxy to a
 * server that speaks first and answers only after the client's half-close; the callee's proxy
 * admits only the identities its access rules allow; connections are balanced, a dead endpoint
 * costs callers nothing, a black-holed connect times out, an idle connection is closed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpIT {
    static final String WEB = "spiffe://tenant-1/ns/shop/sa/web";
    static final String DB = "spiffe://tenant-1/ns/shop/sa/db";
    static final String OTHER = "spiffe://tenant-1/ns/shop/sa/other";
    static final TestCa CA = new TestCa("tenant-1 CA");
    static TcpServer dbServer;
    static TcpServer cacheA;
    static TcpServer cacheB;
    static ServerSocket blackhole;
    static final List<Socket> backlogFillers = new ArrayList<>();
    static ProxyHarness dbProxy;
    static ProxyHarness webProxy;
    static final int DB_PORT = ProxyHarness.freePort();
    static final int CACHE_PORT = ProxyHarness.freePort();
    static final int SLOW_PORT = ProxyHarness.freePort();

    @BeforeAll
    static void start() throws IOException {
        dbServer = TcpServer.start("db");
        cacheA = TcpServer.start("cache-a");
        cacheB = TcpServer.start("cache-b");
        blackhole = blackhole();
        Path webData = ProxyHarness.tempDir("tcp-web");
        Path dbData = ProxyHarness.tempDir("tcp-db");
        CA.issue(WEB).writeTo(webData, CA.certificate);
        CA.issue(DB).writeTo(dbData, CA.certificate);
        dbProxy = new ProxyHarness(dbServer.port(), dbData);
        webProxy = new ProxyHarness(SharedProxy.APP.port(), webData,
                "--trellis.tcp.connect-timeout=300ms", "--trellis.tcp.idle-timeout=1500ms");

        AccessControl onlyWeb = new AccessControl(AccessControl.Action.DENY, List.of(
                new AccessRule(AccessControl.Action.ALLOW, List.of(WEB), List.of(), List.of(), "web-to-db")));
        Snapshot db = new Snapshot(null, "tenant-1", MESH, "db", DB, MtlsMode.STRICT,
                new Inbound("tcp", 5432, onlyWeb, null, null), List.of(), List.of());
        assertThat(dbProxy.apply(db).applied()).isTrue();

        int dead = ProxyHarness.freePort();
        Snapshot web = new Snapshot(null, "tenant-1", MESH, "web", WEB, MtlsMode.STRICT, Snapshots.openInbound(),
                List.of(tcp("db", DB_PORT), tcp("cache", CACHE_PORT), tcp("slow", SLOW_PORT)),
                List.of(new Cluster("db", "db", null, DB, true, Cluster.LoadBalancer.ROUND_ROBIN,
                                List.of(new Cluster.Endpoint("127.0.0.1", dbProxy.inboundPort)), null, null),
                        plain("cache", cacheA.port(), cacheB.port(), dead),
                        plain("slow", blackhole.getLocalPort())));
        assertThat(webProxy.apply(web).applied()).isTrue();
    }

    static Upstream tcp(String service, int port) {
        return new Upstream(service, List.of(service, service + "." + MESH), "tcp", port,
                List.of(rule(service + "/default", Match.any(), service)));
    }

    static Cluster plain(String name, int... ports) {
        List<Cluster.Endpoint> endpoints = java.util.Arrays.stream(ports).mapToObj(p -> new Cluster.Endpoint("127.0.0.1", p)).toList();
        return new Cluster(name, name, null, "spiffe://tenant-1/ns/shop/sa/" + name, false, Cluster.LoadBalancer.ROUND_ROBIN,
                endpoints, null, null);
    }

    /** A listening port whose accept queue is full: further connects get no SYN-ACK and hang until they time out. */
    static ServerSocket blackhole() throws IOException {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        for (int i = 0; i < 16; i++) {
            Socket filler = new Socket();
            try {
                filler.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort()), 200);
                backlogFillers.add(filler);
            } catch (SocketTimeoutException full) {
                filler.close();
                return socket;
            }
        }
        throw new IllegalStateException("the accept queue never filled");
    }

    @AfterAll
    static void stop() throws IOException {
        if (webProxy != null) webProxy.close();
        if (dbProxy != null) dbProxy.close();
        for (Socket s : backlogFillers) s.close();
        for (AutoCloseable c : new AutoCloseable[] {dbServer, cacheA, cacheB, blackhole}) {
            try {
                if (c != null) c.close();
            } catch (Exception ignored) {
                // closing at the end
            }
        }
    }

    @Test
    void bytesCrossTwoProxiesOverMtlsAndTheClientsHalfCloseReachesTheServer() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", DB_PORT)) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            assertThat(readLine(in)).isEqualTo("db ready"); // the server spoke first, through both proxies
            byte[] payload = ("select 1;" + "x".repeat(1 << 20)).getBytes(StandardCharsets.US_ASCII);
            socket.getOutputStream().write(payload);
            socket.shutdownOutput(); // the server answers only once it has seen the end of our input
            String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("db got " + payload.length + " bytes: SELECT 1;XXX");
            assertThat(answer).hasSize(("db got " + payload.length + " bytes: ").length() + payload.length);
        }
        assertThat(metric(dbProxy, "trellis_tcp_connections_total", "direction=\"inbound\"", "outcome=\"connected\"", "service=\"db\""))
                .isGreaterThanOrEqualTo(1);
        assertThat(metric(webProxy, "trellis_tcp_bytes_total", "direction=\"outbound\"", "from=\"caller\"", "service=\"db\""))
                .isGreaterThanOrEqualTo(1 << 20);
    }

    @Test
    void theCalleesProxyAdmitsOnlyAllowedIdentities() throws Exception {
        int before = dbServer.accepted.get();
        // A certificate of the tenant's CA, but for a service the access rules do not admit.
        try (SSLSocket socket = (SSLSocket) CA.issue(OTHER).sslContext(CA.certificate).getSocketFactory()
                .createSocket("127.0.0.1", dbProxy.inboundPort)) {
            socket.setSoTimeout(5_000);
            socket.startHandshake();
            assertThat(readOrEnd(socket.getInputStream())).isEqualTo(-1);
        }
        // No TLS at all under STRICT.
        try (Socket socket = new Socket("127.0.0.1", dbProxy.inboundPort)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readOrEnd(socket.getInputStream())).isEqualTo(-1);
        }
        assertThat(dbServer.accepted.get()).isEqualTo(before);
        assertThat(metric(dbProxy, "trellis_tcp_connections_total", "outcome=\"denied\"", "service=\"db\"")).isGreaterThanOrEqualTo(1);
        // The admitted identity still gets through.
        try (SSLSocket socket = (SSLSocket) CA.issue(WEB).sslContext(CA.certificate).getSocketFactory()
                .createSocket("127.0.0.1", dbProxy.inboundPort)) {
            socket.setSoTimeout(5_000);
            assertThat(readLine(socket.getInputStream())).isEqualTo("db ready");
        }
    }

    @Test
    void connectionsAreBalancedAndADeadEndpointCostsCallersNothing() throws IOException {
        int a = 0;
        int b = 0;
        for (int i = 0; i < 30; i++) {
            try (Socket socket = new Socket("127.0.0.1", CACHE_PORT)) {
                socket.setSoTimeout(5_000);
                String greeting = readLine(socket.getInputStream());
                if (greeting.equals("cache-a ready")) a++;
                else if (greeting.equals("cache-b ready")) b++;
                else throw new AssertionError("unexpected greeting " + greeting);
            }
        }
        assertThat(a + b).isEqualTo(30); // every connection reached a live server, none was lost to the dead one
        assertThat(a).isGreaterThanOrEqualTo(10);
        assertThat(b).isGreaterThanOrEqualTo(10);
        // The dead endpoint was tried, then passed over (and ejected after 3 failures in a row at most).
        double failures = metric(webProxy, "trellis_tcp_connect_failures_total", "service=\"cache\"");
        assertThat(failures).isBetween(1.0, 3.0);
    }

    @Test
    void anUpstreamWhosePortIsTakenLeavesTheSnapshotAndTheOtherListenersInForce() throws IOException {
        int free = ProxyHarness.freePort();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ProxyHarness proxy = new ProxyHarness(SharedProxy.APP.port(), ProxyHarness.tempDir("tcp-taken"))) {
            Snapshot snapshot = new Snapshot(null, "tenant-1", MESH, "web", WEB, MtlsMode.DISABLED, Snapshots.openInbound(),
                    List.of(tcp("db", taken.getLocalPort()), tcp("cache", free)),
                    List.of(plain("db", dbServer.port()), plain("cache", cacheA.port())));

            assertThat(proxy.apply(snapshot).applied()).isTrue();

            try (Socket socket = new Socket("127.0.0.1", free)) {
                socket.setSoTimeout(5_000);
                assertThat(readLine(socket.getInputStream())).isEqualTo("cache-a ready");
            }
        }
    }

    @Test
    void aBlackHoledConnectTimesOutAndAnIdleConnectionIsClosed() throws IOException {
        long started = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", SLOW_PORT)) {
            socket.setSoTimeout(10_000);
            assertThat(readOrEnd(socket.getInputStream())).isEqualTo(-1);
        }
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(tookMs).isBetween(250L, 5_000L); // the 300 ms connect timeout, not the kernel's minutes
        assertThat(metric(webProxy, "trellis_tcp_connections_total", "outcome=\"connect-failure\"", "service=\"slow\""))
                .isGreaterThanOrEqualTo(1);

        try (Socket socket = new Socket("127.0.0.1", CACHE_PORT)) {
            socket.setSoTimeout(15_000);
            InputStream in = socket.getInputStream();
            assertThat(readLine(in)).endsWith("ready");
            long quietSince = System.nanoTime();
            assertThat(readOrEnd(in)).isEqualTo(-1); // closed by the proxy's 1.5 s idle timeout
            long idleMs = (System.nanoTime() - quietSince) / 1_000_000;
            assertThat(idleMs).isBetween(1_200L, 10_000L);
        }
    }

    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') line.append((char) c);
        return line.toString();
    }

    static int readOrEnd(InputStream in) {
        try {
            return in.read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("connection neither answered nor closed", e);
        } catch (IOException e) {
            return -1; // reset or TLS alert: the connection ended
        }
    }

    /** The sum of a Prometheus series with every given label, 0 when there is none. */
    static double metric(ProxyHarness proxy, String name, String... labels) {
        double sum = 0;
        Matcher m = Pattern.compile("^" + name + "\\{([^}]*)} (\\S+)$", Pattern.MULTILINE).matcher(proxy.admin("/metrics").body());
        while (m.find()) {
            boolean all = true;
            for (String label : labels) all &= m.group(1).contains(label);
            if (all) sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }
}
