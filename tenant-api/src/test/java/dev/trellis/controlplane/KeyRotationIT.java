package dev.trellis.controlplane;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Key rotation, with the control plane restarted as an operator would roll it (docs/operations.md,
 * "Key rotation"): the master key is replaced while the old one is still accepted, every mesh
 * authority is sealed again with the new key, and after the old key is dropped proxies still
 * register and renew. A mesh's root rotates through its three phases (next trusted, next signs,
 * old gone) with the trust bundles and signers each phase promises.
 */
@Timeout(300)
class KeyRotationIT {
    private static final String OPERATOR = "key-rotation-operator";

    @TempDir
    Path work;

    @Test
    void theMasterKeyRotatesAndEveryAuthorityIsSealedAgainWithTheNewKey() throws Exception {
        String oldKey = randomKey(), newKey = randomKey();
        try (EmbeddedPostgres postgres = postgres()) {
            String key;
            try (ConfigurableApplicationContext app = start(postgres, "--trellis.master-key=" + oldKey)) {
                Api api = api(app);
                key = api.post("/v1/tenants", OPERATOR, "{\"name\": \"rotating\"}").json().get("apiKey").asString();
                for (String mesh : List.of("shop", "idle")) {
                    assertThat(api.put("/v1/meshes/" + mesh, key, "{\"mtls\": \"STRICT\"}").status()).isEqualTo(201);
                    assertThat(api.put("/v1/meshes/" + mesh + "/services/echo", key, ControlPlaneIT.ECHO).status()).isEqualTo(201);
                    register(api, key, mesh);
                }
            }
            List<String> sealedBefore = sealedKeys(postgres);

            // Step 2 of the procedure: the new key seals, the old one still opens.
            try (ConfigurableApplicationContext app = start(postgres, "--trellis.master-key=" + newKey,
                    "--trellis.master-keys-previous=" + oldKey, "--trellis.master-key.reseal-delay=0s",
                    "--trellis.master-key.reseal-interval=1s")) {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!sealedWith(postgres).equals(List.of(keyId(newKey), keyId(newKey))) && System.nanoTime() < deadline) Thread.sleep(200);
                assertThat(sealedWith(postgres)).containsExactly(keyId(newKey), keyId(newKey));
                assertThat(sealedKeys(postgres)).doesNotContainAnyElementsOf(sealedBefore);
            }

            // Step 3: the old key is gone; the authorities open with the new one alone.
            try (ConfigurableApplicationContext app = start(postgres, "--trellis.master-key=" + newKey)) {
                Api api = api(app);
                for (String mesh : List.of("shop", "idle")) {
                    JsonNode registered = register(api, key, mesh);
                    Api.Response renewed = new Api(port(app), exchange -> { }).post("/v1/fleet/certificates", registered.get("token").asString(),
                            Api.JSON.createObjectNode().put("csr", ProxyKey.generate().csr()).toString());
                    assertThat(renewed.status()).as(renewed.body()).isEqualTo(200);
                }
            }
        }
    }

    @Test
    void aRootRotatesThroughItsPhasesAndEachPhaseSignsAndTrustsWhatItShould() throws Exception {
        try (EmbeddedPostgres postgres = postgres();
             ConfigurableApplicationContext app = start(postgres, "--trellis.master-key=" + randomKey(),
                     "--trellis.fleet.certificate-validity=3s")) {
            Api api = api(app);
            Api fleet = new Api(port(app), exchange -> { });
            String key = api.post("/v1/tenants", OPERATOR, "{\"name\": \"roots\"}").json().get("apiKey").asString();
            assertThat(api.put("/v1/meshes/shop", key, "{\"mtls\": \"STRICT\"}").status()).isEqualTo(201);
            assertThat(api.put("/v1/meshes/shop/services/echo", key, ControlPlaneIT.ECHO).status()).isEqualTo(201);
            JsonNode registered = register(api, key, "shop");
            String proxyToken = registered.get("token").asString();
            X509Certificate oldRoot = ProxyKey.certificates(registered.get("trustBundle").asString()).getFirst();

            Api.Response tooShort = api.post("/v1/meshes/shop/authority/rotations", key, "{\"overlap\": \"2s\"}");
            assertThat(tooShort.status()).isEqualTo(400);
            assertThat(tooShort.body()).contains("overlap");

            JsonNode started = api.post("/v1/meshes/shop/authority/rotations", key, "{\"overlap\": \"4s\"}").json();
            assertThat(roles(started)).containsExactly("signing", "next");
            assertThat(api.post("/v1/meshes/shop/authority/rotations", key, "{\"overlap\": \"4s\"}").status()).isEqualTo(409);

            // Phase 1: both roots trusted, the old one still signs.
            JsonNode phase1 = renew(fleet, proxyToken);
            List<X509Certificate> bundle1 = ProxyKey.certificates(phase1.get("trustBundle").asString());
            assertThat(bundle1).hasSize(2).contains(oldRoot);
            X509Certificate newRoot = bundle1.stream().filter(c -> !c.equals(oldRoot)).findFirst().orElseThrow();
            leafOf(phase1).verify(oldRoot.getPublicKey());

            // Phase 2: the new root signs, the old one is still trusted.
            JsonNode phase2 = renewUntil(fleet, proxyToken, started.get("rotation").get("switchesAt").asString());
            assertThat(ProxyKey.certificates(phase2.get("trustBundle").asString())).containsExactlyInAnyOrder(newRoot, oldRoot);
            leafOf(phase2).verify(newRoot.getPublicKey());
            assertThat(roles(api.get("/v1/meshes/shop/authority", key).json())).containsExactly("signing", "retired");

            // Done: the new root alone.
            JsonNode done = renewUntil(fleet, proxyToken, started.get("rotation").get("completesAt").asString());
            assertThat(ProxyKey.certificates(done.get("trustBundle").asString())).containsExactly(newRoot);
            leafOf(done).verify(newRoot.getPublicKey());
            JsonNode roots = api.get("/v1/meshes/shop/authority", key).json();
            assertThat(roles(roots)).containsExactly("signing");
            assertThat(roots.get("rotation").isNull()).isTrue();
            assertThat(api.post("/v1/meshes/shop/authority/rotations", key, "{\"overlap\": \"4s\"}").status()).isEqualTo(202);
        }
    }

    private static JsonNode register(Api api, String key, String mesh) throws Exception {
        return register(api, api, key, mesh);
    }

    private static JsonNode register(Api api, Api fleet, String key, String mesh) throws Exception {
        String joinToken = api.post("/v1/meshes/" + mesh + "/join-tokens", key, "{\"service\": \"echo\", \"version\": \"v1\"}")
                .json().get("token").asString();
        Api.Response registered = fleet.post("/v1/fleet/register", null,
                Api.JSON.createObjectNode().put("joinToken", joinToken).put("csr", ProxyKey.generate().csr()).toString());
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        return registered.json();
    }

    private static JsonNode renew(Api fleet, String proxyToken) throws Exception {
        Api.Response renewed = fleet.post("/v1/fleet/certificates", proxyToken,
                Api.JSON.createObjectNode().put("csr", ProxyKey.generate().csr()).toString());
        assertThat(renewed.status()).as(renewed.body()).isEqualTo(200);
        return renewed.json();
    }

    private static X509Certificate leafOf(JsonNode answer) throws Exception {
        return ProxyKey.certificates(answer.get("certificateChain").asString()).getFirst();
    }

    private static List<String> roles(JsonNode roots) {
        List<String> roles = new ArrayList<>();
        roots.get("roots").forEach(root -> roles.add(root.get("role").asString()));
        return roles;
    }

    /** Renews as a proxy does (its certificate lasts 3 s here) until {@code instant} has passed; answers the first renewal after it. */
    private static JsonNode renewUntil(Api fleet, String proxyToken, String instant) throws Exception {
        java.time.Instant until = java.time.Instant.parse(instant);
        while (!java.time.Instant.now().isAfter(until)) {
            renew(fleet, proxyToken);
            Thread.sleep(Math.max(1, Math.min(1_000, Duration.between(java.time.Instant.now(), until).toMillis() + 50)));
        }
        return renew(fleet, proxyToken);
    }

    private List<String> sealedWith(EmbeddedPostgres postgres) throws Exception {
        return column(postgres, "SELECT sealed_with FROM mesh_authorities ORDER BY mesh");
    }

    private List<String> sealedKeys(EmbeddedPostgres postgres) throws Exception {
        return column(postgres, "SELECT encode(sealed_key, 'hex') FROM mesh_authorities ORDER BY mesh");
    }

    private static List<String> column(EmbeddedPostgres postgres, String sql) throws Exception {
        List<String> values = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres", "postgres", "");
             ResultSet rs = connection.createStatement().executeQuery(sql)) {
            while (rs.next()) values.add(rs.getString(1));
        }
        return values;
    }

    /** As MasterKey names a key: the first 8 bytes of SHA-256 over it, in hex. */
    private static String keyId(String key) throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(Base64.getUrlDecoder().decode(key));
        return java.util.HexFormat.of().formatHex(java.util.Arrays.copyOf(digest, 8));
    }

    private static String randomKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private EmbeddedPostgres postgres() throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(work.resolve("postgres")).setCleanDataDirectory(true)
                .setServerConfig("listen_addresses", "127.0.0.1").start();
    }

    private ConfigurableApplicationContext start(EmbeddedPostgres postgres, String... more) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--trellis.home=" + work.resolve("home"),
                "--trellis.operator-key=" + OPERATOR,
                "--spring.datasource.url=jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres",
                "--spring.datasource.username=trellis_app", "--spring.datasource.password=",
                "--spring.flyway.user=postgres", "--spring.flyway.password="));
        args.addAll(List.of(more));
        return new SpringApplicationBuilder(TrellisControlPlane.class).run(args.toArray(String[]::new));
    }

    private static int port(ConfigurableApplicationContext app) {
        return ((WebServerApplicationContext) app).getWebServer().getPort();
    }

    private static Api api(ConfigurableApplicationContext app) {
        return new Api(port(app), OpenApiContract.instance()::check);
    }
}
