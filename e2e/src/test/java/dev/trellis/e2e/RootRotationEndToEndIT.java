package dev.trellis.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A mesh's root rotates under steady traffic between real proxies (STRICT mTLS, web → echo v1/v2,
 * a call every 50 ms) and not one call fails: the next root is trusted by every proxy before it
 * signs anything, and the old root stays trusted until no certificate it signed is in use.
 * Certificates last 20 s here (24 h in production) so the proxies renew, and take the new trust
 * bundle, several times within the test; the overlap is one certificate life.
 */
@Timeout(420)
class RootRotationEndToEndIT {
    static final Duration VALIDITY = Duration.ofSeconds(20);

    @Test
    void aRootRotationUnderSteadyTrafficFailsNoCall() throws Exception {
        try (ShopMesh mesh = new ShopMesh()) {
            // Short polls, so each proxy checks its certificate's renewal time every 2 s.
            mesh.startControlPlane("--trellis.fleet.poll-hold=2s", "--trellis.fleet.certificate-validity=" + VALIDITY.toSeconds() + "s");
            mesh.declare();
            for (ShopMesh.Workload workload : mesh.workloads.values()) mesh.startProxy(workload, mesh.joinToken(workload));
            mesh.awaitTraffic(Duration.ofSeconds(90));
            X509Certificate oldRoot = roots(mesh, "echo-v1").getFirst();
            ShopMesh.Workload web = mesh.workloads.get("web-v1");
            List<ShopMesh.Workload> echoes = List.of(mesh.workloads.get("echo-v1"), mesh.workloads.get("echo-v2"));
            assertThat(ProxyHandshakes.call(web.dataDir, echoes.getFirst().inbound)).isEqualTo("200");

            // Beside the steady traffic (whose connections the web proxy pools), a new mTLS connection every 250 ms
            // with web's current material to each echo proxy: every phase's handshakes, not only the first ones.
            List<String> handshakes = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.atomic.AtomicBoolean handshaking = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread handshaker = Thread.ofPlatform().daemon().start(() -> {
                while (handshaking.get()) {
                    for (ShopMesh.Workload echo : echoes) {
                        String answer = ProxyHandshakes.call(web.dataDir, echo.inbound);
                        if (!answer.equals("renewing")) handshakes.add(answer);
                    }
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });

            try (SteadyTraffic traffic = SteadyTraffic.through(web)) {
                Thread.sleep(2_000);
                ControlPlaneApi.Answer started = mesh.api.post("/v1/meshes/shop/authority/rotations",
                        "{\"overlap\": \"" + VALIDITY.toSeconds() + "s\"}");
                assertThat(started.status()).as(started.body()).isEqualTo(202);
                JsonNode rotation = started.json().get("rotation");
                Instant switchesAt = Instant.parse(rotation.get("switchesAt").asString());
                Instant completesAt = Instant.parse(rotation.get("completesAt").asString());

                // Before the switch every proxy has renewed once and trusts both roots, its certificate still from the old one.
                sleepUntil(switchesAt.minusSeconds(1));
                for (ShopMesh.Workload workload : mesh.workloads.values()) {
                    assertThat(roots(mesh, workload.name())).as(workload.name()).hasSize(2).contains(oldRoot);
                    leaf(mesh, workload.name()).verify(oldRoot.getPublicKey());
                }
                X509Certificate newRoot = roots(mesh, "web-v1").stream().filter(c -> !c.equals(oldRoot)).findFirst().orElseThrow();

                // After the old root is dropped and one more certificate life, every proxy holds a certificate of the new root
                // and trusts it alone.
                sleepUntil(completesAt.plus(VALIDITY));
                for (ShopMesh.Workload workload : mesh.workloads.values()) {
                    assertThat(roots(mesh, workload.name())).as(workload.name()).containsExactly(newRoot);
                    leaf(mesh, workload.name()).verify(newRoot.getPublicKey());
                }
                Thread.sleep(2_000);
                traffic.close();
                handshaking.set(false);
                handshaker.join(10_000);
                List<String> failedHandshakes = handshakes.stream().filter(h -> !h.equals("200")).toList();
                System.out.println("root rotation under steady traffic: " + traffic.requests() + " calls, "
                        + traffic.failures().size() + " failed " + traffic.failures() + "; " + handshakes.size()
                        + " new mTLS connections, " + failedHandshakes.size() + " failed " + failedHandshakes);
                assertThat(traffic.requests()).isGreaterThan(100);
                assertThat(traffic.failures()).isEmpty();
                assertThat(handshakes.size()).isGreaterThan(40);
                assertThat(failedHandshakes).isEmpty();
                // The check can fail: trusting the old root alone, as a proxy that missed the overlap would, is refused now.
                assertThat(ProxyHandshakes.call(web.dataDir, List.of(oldRoot), echoes.getFirst().inbound)).startsWith("failed:");
            }
            JsonNode roots = mesh.api.get("/v1/meshes/shop/authority").json();
            assertThat(roots.get("roots")).hasSize(1);
            assertThat(roots.get("rotation").isNull()).isTrue();
        }
    }

    private static List<X509Certificate> roots(ShopMesh mesh, String workload) throws Exception {
        return certificates(mesh.workloads.get(workload).dataDir.resolve("trust-bundle.pem"));
    }

    private static X509Certificate leaf(ShopMesh mesh, String workload) throws Exception {
        return certificates(mesh.workloads.get(workload).dataDir.resolve("cert.pem")).getFirst();
    }

    private static List<X509Certificate> certificates(Path pem) {
        return ProxyHandshakes.certificates(pem);
    }

    private static void sleepUntil(Instant instant) throws InterruptedException {
        long wait = Duration.between(Instant.now(), instant).toMillis();
        if (wait > 0) Thread.sleep(wait);
    }
}
