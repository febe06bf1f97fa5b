package dev.trellis.image;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The control plane image the build made is a real, reproducible OCI image: built twice from two
 * assemblies with the same digest; unpacked by skopeo and umoci (no container engine); its
 * entrypoint, run from the unpacked root filesystem (chroot in a private mount namespace, as the
 * image's user, with only the environment a Kubernetes pod would give it), migrates a real
 * PostgreSQL and serves the API: the operator creates a tenant, whose key then reads its meshes.
 */
@Timeout(400)
class ControlPlaneImageIT {
    static final Path TARGET = Path.of("target");
    static final JsonMapper JSON = JsonMapper.builder().build();
    static Path bundle;

    @BeforeAll
    static void unpack() throws Exception {
        assumeTrue(canRun(), "needs root and skopeo, umoci, unshare and chroot (apt-get install skopeo umoci)");
        bundle = Files.createTempDirectory(TARGET.toAbsolutePath(), "unpacked-");
        run("skopeo", "copy", "oci-archive:" + TARGET.resolve("trellis-control-plane-image.tar").toAbsolutePath(),
                "oci:" + bundle.resolve("layout") + ":control-plane");
        run("umoci", "unpack", "--image", bundle.resolve("layout") + ":control-plane", bundle.resolve("bundle").toString());
    }

    @AfterAll
    static void removeUnpacked() throws IOException {
        if (bundle == null) return;
        try (var files = Files.walk(bundle)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Test
    void theSameInputsGiveTheSameImage() throws IOException {
        String digest = Files.readString(TARGET.resolve("trellis-control-plane-image.digest")).strip();
        assertThat(digest).startsWith("sha256:");
        assertThat(Files.readString(TARGET.resolve("rebuilt/trellis-control-plane-image.digest")).strip()).isEqualTo(digest);
        assertThat(Files.mismatch(TARGET.resolve("trellis-control-plane-image.tar"),
                TARGET.resolve("rebuilt/trellis-control-plane-image.tar"))).isEqualTo(-1L);
    }

    @Test
    void theImageRunsJavaAsAFixedNonRootUserWithNoShell() throws IOException {
        JsonNode process = JSON.readTree(bundle.resolve("bundle/config.json").toFile()).get("process");
        assertThat(process.get("user").get("uid").asInt()).isEqualTo(10001);
        assertThat(process.get("user").get("gid").asInt()).isEqualTo(10001);
        assertThat(process.get("args").get(0).asString()).isEqualTo("/opt/java/bin/java");
        assertThat(process.get("args").toString()).endsWith("\"-jar\",\"/trellis/trellis-control-plane.jar\"]");
        Path rootfs = bundle.resolve("bundle/rootfs");
        assertThat(Files.readString(rootfs.resolve("etc/passwd"))).contains("trellis:x:10001:10001:");
        assertThat(Files.exists(rootfs.resolve("bin/sh"))).isFalse();
        assertThat(Files.isExecutable(rootfs.resolve("opt/java/bin/java"))).isTrue();
    }

    @Test
    void theEntrypointFromTheUnpackedRootFilesystemMigratesAGivenPostgresqlAndServesTheApi() throws Exception {
        Path rootfs = bundle.resolve("bundle/rootfs");
        JsonNode config = JSON.readTree(bundle.resolve("bundle/config.json").toFile()).get("process");
        List<String> entrypoint = JSON.convertValue(config.get("args"), JSON.getTypeFactory().constructCollectionType(List.class, String.class));
        Path data = Files.createTempDirectory("trellis-image-pg-");
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(true).start()) {
            String url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
            int port = freePort();
            String operatorKey = "trellis-operator-" + random();
            // What the Kubernetes Deployment of infra/terraform gives the container: URLs, users and secrets.
            List<String> env = List.of("SPRING_DATASOURCE_URL=" + url, "SPRING_DATASOURCE_USERNAME=trellis_app",
                    "SPRING_DATASOURCE_PASSWORD=", "SPRING_FLYWAY_USER=postgres", "SPRING_FLYWAY_PASSWORD=",
                    "SERVER_PORT=" + port, "TRELLIS_OPERATOR_KEY=" + operatorKey, "TRELLIS_MASTER_KEY=" + random(),
                    "TRELLIS_HOME=/var/lib/trellis");
            Path log = TARGET.resolve("image-control-plane.log");
            Process controlPlane = new ProcessBuilder(inImage(rootfs, "10001:10001", env, entrypoint))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
                URI tenants = URI.create("http://127.0.0.1:" + port + "/v1/tenants");
                HttpResponse<String> created = null;
                Instant deadline = Instant.now().plusSeconds(180);
                while (created == null && Instant.now().isBefore(deadline) && controlPlane.isAlive()) {
                    try {
                        created = http.send(HttpRequest.newBuilder(tenants).header("Authorization", "Bearer " + operatorKey)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"image-tenant\"}")).build(),
                                HttpResponse.BodyHandlers.ofString());
                    } catch (IOException notYet) {
                        Thread.sleep(500);
                    }
                }
                assertThat(created).as(Files.readString(log)).isNotNull();
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                String apiKey = JSON.readTree(created.body()).get("apiKey").asString();
                HttpResponse<String> meshes = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/meshes"))
                        .header("Authorization", "Bearer " + apiKey).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(meshes.statusCode()).as(meshes.body()).isEqualTo(200);

                long java = controlPlane.toHandle().descendants().filter(p -> p.info().command().orElse("").endsWith("/java"))
                        .findFirst().orElseThrow().pid();
                String uid = Files.readAllLines(Path.of("/proc/" + java + "/status")).stream()
                        .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow();
                assertThat(uid.split("\\s+")[1]).isEqualTo("10001");
                // Flyway ran from inside the image against the given database, every migration the jar this build made has.
                try (var connection = postgres.getPostgresDatabase().getConnection();
                     var rows = connection.createStatement().executeQuery(
                             "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL")) {
                    List<String> applied = new java.util.ArrayList<>();
                    while (rows.next()) applied.add("V" + rows.getString(1) + "__");
                    assertThat(applied).containsAll(migrationsInTheJar());
                }
            } finally {
                controlPlane.toHandle().descendants().forEach(ProcessHandle::destroy);
                controlPlane.destroy();
                controlPlane.waitFor(30, TimeUnit.SECONDS);
                controlPlane.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** The tenant-api migrations in the control plane jar the image was packed from (its version prefixes). */
    static List<String> migrationsInTheJar() throws IOException {
        try (var jar = new java.util.zip.ZipFile(Path.of("../tenant-api/target/trellis-control-plane.jar").toFile())) {
            List<String> versions = jar.stream().map(java.util.zip.ZipEntry::getName)
                    .filter(n -> n.startsWith("BOOT-INF/classes/db/migration/V") && n.endsWith(".sql"))
                    .map(n -> n.substring(n.lastIndexOf('/') + 1, n.indexOf("__") + 2)).toList();
            assertThat(versions).isNotEmpty();
            return versions;
        }
    }

    /**
     * A command run from the image's root filesystem as a container runtime would: its own mount
     * namespace with /dev and /proc, chroot, the given user, only the given environment.
     */
    static List<String> inImage(Path rootfs, String user, List<String> env, List<String> command) {
        String root = rootfs.toAbsolutePath().toString();
        StringBuilder script = new StringBuilder("mount --bind /dev '" + root + "/dev' && mount -t proc proc '" + root
                + "/proc' && exec env -i PATH=/opt/java/bin");
        for (String variable : env) script.append(" '").append(variable).append("'");
        script.append(" /usr/sbin/chroot --userspec=").append(user).append(" '").append(root).append("'");
        for (String word : command) script.append(" '").append(word).append("'");
        return List.of("unshare", "--mount", "--propagation", "private", "--fork", "sh", "-c", script.toString());
    }

    static boolean canRun() throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) return false;
        return new ProcessBuilder("sh", "-c", "command -v skopeo && command -v umoci && command -v unshare && command -v chroot")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
    }

    static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }

    static String random() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
