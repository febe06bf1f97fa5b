package dev.trellis.proxy;

import static dev.trellis.proxy.Snapshots.rule;
import static dev.trellis.proxy.Snapshots.snapshot;
import static dev.trellis.proxy.Snapshots.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.trellis.compiler.snapshot.Cluster;
import dev.trellis.compiler.snapshot.Match;
import dev.trellis.compiler.snapshot.SnapshotJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A static endpoint given as a host name is resolved when the proxy connects, and a name that
 * resolves to a link-local address is not connected to, like the literal the snapshot check
 * refuses. The proxy runs as shipped in its own process with a hosts file of its own
 * ({@code -Djdk.net.hosts.file}), so the test needs no DNS; the refused name resolves to an
 * unscoped {@code fe80::1}, which Linux would refuse locally, so no packet leaves loopback even
 * if the check were missing.
 */
class ResolvedEndpointIT {

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aNameThatResolvesToALinkLocalAddressIsRefusedAtConnectAndAnOrdinaryNameIsCalled() throws Exception {
        Path dir = Files.createTempDirectory("trellis-resolved");
        Path hosts = dir.resolve("hosts");
        Files.writeString(hosts, "127.0.0.1 backend.test\nfe80::1 metadata-alias.test\n");
        int outbound = ProxyHarness.freePort();
        int admin = ProxyHarness.freePort();
        Process proxy = null;
        try (TestBackend backend = TestBackend.start("named")) {
            Path snapshotFile = dir.resolve("snapshot-input.json");
            Files.write(snapshotFile, SnapshotJson.write(snapshot(
                    List.of(upstream("named", rule("named/0", Match.any(), "named/a")),
                            upstream("meta", rule("meta/0", Match.any(), "meta/a"))),
                    List.of(named("named/a", "backend.test", backend.port()), named("meta/a", "metadata-alias.test", 80)))
                    .withComputedVersion()));
            proxy = ShippedProcess.startReady(dir, snapshotFile, backend.port(), outbound, admin,
                    Map.of("TRELLIS_PROXY_JAVA_OPTS", "-XX:+UseSerialGC -Xmx32m -Djdk.net.hosts.file=" + hosts));
            HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", outbound)))
                    .version(HttpClient.Version.HTTP_1_1).build();

            HttpResponse<String> called = client.send(HttpRequest.newBuilder(URI.create("http://named/hello")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(called.statusCode()).isEqualTo(200);
            assertThat(called.body()).isEqualTo("named");

            HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create("http://meta/latest/meta-data")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("x-trellis-error")).hasValue("connect-failure");
            assertThat(Files.readString(dir.resolve("proxy.log")))
                    .contains("endpoint metadata-alias.test resolved to fe80:0:0:0:0:0:0:1, which is link-local (fe80::/10); not connecting");
        } finally {
            if (proxy != null) {
                proxy.destroy();
                proxy.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Cluster named(String name, String address, int port) {
        String service = name.substring(0, name.indexOf('/'));
        return new Cluster(name, service, null, "spiffe://tenant-1/ns/shop/sa/" + service, false, Cluster.LoadBalancer.ROUND_ROBIN,
                List.of(new Cluster.Endpoint(address, port)), null, null);
    }
}
