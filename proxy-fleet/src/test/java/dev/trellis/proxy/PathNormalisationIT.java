package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.cluster;
import static dev.trellis.proxy.Snapshots.prefix;
import static dev.trellis.proxy.Snapshots.rule;
import static dev.trellis.proxy.Snapshots.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.util.List;

import dev.trellis.compiler.snapshot.AccessControl;
import dev.trellis.compiler.snapshot.AccessControl.AccessRule;
import dev.trellis.compiler.snapshot.Inbound;
import dev.trellis.compiler.snapshot.Match;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bypass shapes of {@code /admin}, sent byte for byte through a real proxy: outbound, the route for
 * {@code /admin} gets them (or the proxy answers 400) and the upstream receives the normal path;
 * inbound, a deny of {@code /admin} refuses them all, while {@code /administrator} reaches the app.
 */
@Timeout(120)
class PathNormalisationIT {
    static final TestBackend ADMIN = TestBackend.start("admin");
    static final TestBackend OTHER = TestBackend.start("other");
    static final TestBackend APP = SharedProxy.APP;
    final ProxyHarness proxy = SharedProxy.get();

    @BeforeAll
    static void route() {
        AccessControl access = new AccessControl(AccessControl.Action.ALLOW,
                List.of(new AccessRule(AccessControl.Action.DENY, List.of(), List.of("/admin"), List.of(), "no-admin")));
        Inbound inbound = new Inbound("http", 8080, access, null, null);
        assertThat(SharedProxy.get().apply(Snapshots.snapshot(inbound,
                List.of(upstream("echo", rule("echo/0", prefix("/admin"), "echo/admin"), rule("echo/default", Match.any(), "echo/other"))),
                List.of(cluster("echo/admin", ADMIN), cluster("echo/other", OTHER)))).applied()).isTrue();
    }

    @BeforeEach
    void reset() {
        List.of(ADMIN, OTHER, APP).forEach(TestBackend::reset);
    }

    @AfterAll
    static void stop() {
        ADMIN.close();
        OTHER.close();
    }

    /**
     * {@code routed} is the backend of the outbound call and the path it receives ({@code 400}: the
     * proxy refuses the path); {@code inbound} is the status of the same path on the inbound side.
     */
    @ParameterizedTest(name = "{0}: outbound {1} {2}, inbound {3}")
    @CsvSource(delimiter = '|', textBlock = """
            /admin                 | admin | /admin          | 403
            //admin                | admin | /admin          | 403
            /./admin               | admin | /admin          | 403
            /%61dmin               | admin | /admin          | 403
            /x/../admin            | admin | /admin          | 403
            /.%2e/admin            | admin | /admin          | 403
            /%2E%2e/admin/users    | admin | /admin/users    | 403
            /admin/./users/        | admin | /admin/users/   | 403
            /public/..//admin?q=1  | admin | /admin?q=1      | 403
            /ADMIN                 | other | /ADMIN          | 403
            /Admin/x               | other | /Admin/x        | 403
            /admin;x=1             | admin | /admin;x=1      | 403
            /public/..;/admin      | other | /public/..;/admin | 403
            /admin%2F..            | 400   |                 | 400
            /admin%2f..%2fsecret   | 400   |                 | 400
            /%2e%2e%5cadmin        | 400   |                 | 400
            /admin\\..\\x          | 400   |                 | 400
            /admin%00.html         | 400   |                 | 400
            /admin%                | 400   |                 | 400
            /administrator         | admin | /administrator  | 200
            /public                | other | /public         | 200
            """)
    void routingAndAccessSeeOneNormalPath(String raw, String routed, String upstreamUri, int inbound) throws IOException {
        List<String> outbound = call(proxy.outboundPort, raw);
        if (routed.equals("400")) {
            assertThat(outbound.getFirst()).isEqualTo("HTTP/1.1 400 Bad Request");
            assertThat(ADMIN.hits.get() + OTHER.hits.get()).isZero();
        } else {
            assertThat(outbound.getFirst()).isEqualTo("HTTP/1.1 200 OK");
            TestBackend backend = routed.equals("admin") ? ADMIN : OTHER;
            assertThat(backend.hits.get()).isEqualTo(1);
            assertThat(backend.seen().getFirst().uri()).isEqualTo(upstreamUri);
        }

        List<String> answer = call(proxy.inboundPort, raw);
        assertThat(answer.getFirst()).startsWith("HTTP/1.1 " + inbound);
        assertThat(APP.hits.get()).isEqualTo(inbound == 200 ? 1 : 0);
    }

    private static List<String> call(int port, String target) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            RawHttp.send(socket, "GET " + target + " HTTP/1.1\r\nHost: echo\r\nConnection: close\r\n\r\n");
            return RawHttp.readResponse(RawHttp.reader(socket));
        }
    }
}
