package dev.trellis.image;

import com.sun.net.httpserver.HttpServer;
import dev.trellis.compiler.snapshot.SnapshotJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The image the build made is a real, reproducible OCI image: built twice from two assemblies with
 * the same digest; unpacked by skopeo and umoci (no container engine); its entrypoint run from the
 * unpacked root filesystem (chroot in a private mount namespace, as the image's user) serves a
 * request, and its init mode writes the redirect rules in a network namespace of its own.
 */
@Timeout(300)
class ProxyImageIT {
    static final Path TARGET = Path.of("target");
    static final JsonMapper JSON = JsonMapper.builder().build();
    static Path bundle;

    @BeforeAll
    static void unpack() throws Exception {
        assumeTrue(Host.canRun(), Host.WHY_NOT);
        bundle = Files.createTempDirectory(TARGET.toAbsolutePath(), "unpacked-");
        Host.run("skopeo", "copy", "oci-archive:" + TARGET.resolve("trellis-proxy-image.tar").toAbsolutePath(),
                "oci:" + bundle.resolve("layout") + ":proxy");
        Host.run("umoci", "unpack", "--image", bundle.resolve("layout") + ":proxy", bundle.resolve("bundle").toString());
    }

    @AfterAll
    static void removeUnpacked() throws IOException {
        if (bundle == null) return;
        try (var files = Files.walk(bundle)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Test
    void theSameInputsGiveTheSameImage() throws IOException {
        String digest = Files.readString(TARGET.resolve("trellis-proxy-image.digest")).strip();
        assertThat(digest).startsWith("sha256:");
        assertThat(Files.readString(TARGET.resolve("rebuilt/trellis-proxy-image.digest")).strip()).isEqualTo(digest);
        assertThat(Files.mismatch(TARGET.resolve("trellis-proxy-image.tar"), TARGET.resolve("rebuilt/trellis-proxy-image.tar")))
                .isEqualTo(-1L);
    }

    @Test
    void theImageRunsItsEntrypointAsAFixedNonRootUser() throws IOException {
        JsonNode process = JSON.readTree(bundle.resolve("bundle/config.json").toFile()).get("process");
        assertThat(process.get("user").get("uid").asInt()).isEqualTo(1337);
        assertThat(process.get("user").get("gid").asInt()).isEqualTo(1337);
        assertThat(process.get("args").toString()).isEqualTo("[\"/trellis/entrypoint\",\"proxy\"]");
        Path rootfs = bundle.resolve("bundle/rootfs");
        assertThat(Files.readString(rootfs.resolve("etc/passwd"))).contains("trellis:x:1337:1337:");
        assertThat(Files.isExecutable(rootfs.resolve("opt/java/bin/java"))).isTrue();
        assertThat(Files.readString(rootfs.resolve("trellis/entrypoint"))).contains("-XX:+UseSerialGC -Xmx24m -Xmn6m");
    }

    @Test
    void theEntrypointFromTheUnpackedRootFilesystemServesARequest() throws Exception {
        Path rootfs = bundle.resolve("bundle/rootfs");
        int app = freePort(), inbound = freePort(), outbound = freePort(), admin = freePort();
        HttpServer echo = HttpServer.create(new InetSocketAddress("127.0.0.1", app), 0);
        echo.createContext("/", exchange -> {
            byte[] body = ("echo saw " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        echo.start();
        String unversioned = """
                {"version": null, "tenant": "t1", "mesh": "shop", "service": "echo",
                 "identity": "spiffe://t1.trellis/mesh/shop/service/echo", "mtls": "DISABLED",
                 "inbound": {"protocol": "http", "port": %d, "access": {"defaultAction": "ALLOW", "rules": []}},
                 "upstreams": [], "clusters": []}""".formatted(app);
        String snapshot = SnapshotJson.writeString(SnapshotJson.read(unversioned.getBytes(StandardCharsets.UTF_8)).withComputedVersion());
        Path data = Files.createDirectories(rootfs.resolve("var/run/trellis/" + UUID.randomUUID()));
        Files.writeString(data.resolve("echo.json"), snapshot);
        Host.run("chown", "-R", "1337:1337", data.toString());
        String dataDir = "/" + rootfs.relativize(data);
        List<String> env = List.of("TRELLIS_SNAPSHOT_FILE=" + dataDir + "/echo.json", "TRELLIS_DATA_DIR=" + dataDir,
                "TRELLIS_APP_PORT=" + app, "TRELLIS_INBOUND_PORT=" + inbound, "TRELLIS_OUTBOUND_PORT=" + outbound,
                "TRELLIS_ADMIN_PORT=" + admin);
        Process proxy = Host.start(Host.inImage(rootfs, "1337:1337", env, "/trellis/entrypoint", "proxy"),
                TARGET.resolve("image-proxy.log"));
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            Instant deadline = Instant.now().plusSeconds(60);
            int ready = 0;
            while (ready != 200 && Instant.now().isBefore(deadline) && proxy.isAlive()) {
                try {
                    ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (IOException notYet) {
                    Thread.sleep(200);
                }
            }
            assertThat(ready).as(Files.readString(TARGET.resolve("image-proxy.log"))).isEqualTo(200);
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + inbound + "/hello")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("echo saw /hello");

            // The health mode is what ECS's healthCheck runs, in the same image.
            assertThat(Host.exit(Host.inImage(rootfs, "1337:1337", List.of("TRELLIS_ADMIN_PORT=" + admin), "/trellis/entrypoint", "health"))).isZero();
            assertThat(Host.exit(Host.inImage(rootfs, "1337:1337", List.of("TRELLIS_ADMIN_PORT=" + freePort()), "/trellis/entrypoint", "health"))).isNotZero();

            long java = proxy.toHandle().descendants().filter(p -> p.info().command().orElse("").endsWith("/java"))
                    .findFirst().orElseThrow().pid();
            String status = Files.readString(Path.of("/proc/" + java + "/status"));
            String rss = status.lines().filter(l -> l.startsWith("VmRSS:")).findFirst().orElseThrow();
            String uid = status.lines().filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow();
            assertThat(uid.split("\\s+")[1]).isEqualTo("1337");
            // The image's runtime decides whether C2's per-compilation memory cap is on (JDK 22+ has it).
            String release = Files.readString(rootfs.resolve("opt/java/release"));
            int major = Integer.parseInt(release.replaceAll("(?s).*JAVA_VERSION=\"(\\d+).*", "$1"));
            String commandLine = Files.readString(Path.of("/proc/" + java + "/cmdline")).replace('\0', ' ');
            assertThat(commandLine).contains("-Xmx24m");
            if (major >= 22) assertThat(commandLine).contains("-XX:CompileCommand=MemLimit,*.*,16M");
            else assertThat(commandLine).doesNotContain("MemLimit");
            System.out.println("proxy from the image entrypoint, after one request: " + rss.replaceAll("\\s+", " "));
        } finally {
            proxy.toHandle().descendants().forEach(ProcessHandle::destroy);
            proxy.destroy();
            proxy.waitFor();
            echo.stop(0);
        }
    }

    @Test
    void theInitModeWritesTheRedirectRulesInItsNetworkNamespaceAndRunningItAgainChangesNothing() throws Exception {
        Path rootfs = bundle.resolve("bundle/rootfs");
        String namespace = "trimg" + Long.toHexString(System.nanoTime() & 0xffffff);
        Host.run("ip", "netns", "add", namespace);
        try {
            List<String> init = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
            init.addAll(Host.inImage(rootfs, "0:0", List.of("TRELLIS_PROXY_UID=1337", "TRELLIS_EXCLUDE_INBOUND_PORTS=22"),
                    "/trellis/entrypoint", "init"));
            Host.run(init.toArray(String[]::new));
            String rules = Host.run("ip", "netns", "exec", namespace, "iptables", "-t", "nat", "-S");
            assertThat(rules).contains(
                    "-A PREROUTING -p tcp -j TRELLIS_INBOUND",
                    "-A OUTPUT -p tcp -j TRELLIS_OUTPUT",
                    "-A TRELLIS_INBOUND -p tcp -m tcp --dport 15000 -j RETURN",
                    "-A TRELLIS_INBOUND -p tcp -m tcp --dport 22 -j RETURN",
                    "-A TRELLIS_INBOUND -p tcp -j REDIRECT --to-ports 15006",
                    "-A TRELLIS_OUTPUT -m owner --uid-owner 1337 -j RETURN",
                    "-A TRELLIS_OUTPUT -p tcp -j REDIRECT --to-ports 15001");
            Host.run(init.toArray(String[]::new));
            assertThat(Host.run("ip", "netns", "exec", namespace, "iptables", "-t", "nat", "-S")).isEqualTo(rules);
            // The host's own rules were not touched.
            assertThat(Host.run("iptables", "-t", "nat", "-S")).doesNotContain("TRELLIS_OUTPUT");
        } finally {
            Host.run("ip", "netns", "del", namespace);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
