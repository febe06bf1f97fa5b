package dev.trellis.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.zjsonpatch.JsonPatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Injection end to end across real network hosts. The control plane and three "pods" (web, echo v1,
 * echo v2) are network namespaces on one bridge. Each pod's spec goes through the hosted webhook as
 * an API server sends it; the patched pod is then run as a kubelet would, from the unpacked proxy
 * image: the init container's command writes real iptables rules in the pod's namespace, the native
 * sidecar runs with exactly the env and args the patch gave it (status.podIP resolved) and gates the
 * pod on its startup probe. An unmodified client in web calls {@code http://echo:8080/} (resolved to
 * echo v1's address by web's own /etc/hosts): captured by the redirect, sent over mTLS to the echo
 * pods' proxies, split 90/10; a route write moves it all to v2.
 */
@Timeout(600)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InjectedPodsIT {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final ObjectMapper KUBE = new ObjectMapper();
    private static final String OPERATOR_KEY = "e2e-pods-" + UUID.randomUUID();

    private NetworkHosts hosts;
    private Path work;
    private Path rootfs;
    private List<String> imageEntrypoint;
    private String controlPlane;
    private String key;
    private String webhook;
    private final Map<String, String> namespaces = new LinkedHashMap<>();
    private final Map<String, String> addresses = new HashMap<>();

    @BeforeAll
    void start() throws Exception {
        assumeTrue(NetworkHosts.available(), NetworkHosts.WHY_NOT);
        work = Files.createTempDirectory(Files.createDirectories(Launched.ROOT.resolve("e2e/target")), "pods-");
        unpackImage();
        hosts = new NetworkHosts();
        String cpAddress = hosts.subnet + "10";
        controlPlane = hosts.add("cp", 10);
        addresses.put("echo-v1", hosts.subnet + "21");
        addresses.put("echo-v2", hosts.subnet + "22");
        addresses.put("web-v1", hosts.subnet + "30");
        namespaces.put("echo-v1", hosts.add("e1", 21));
        namespaces.put("echo-v2", hosts.add("e2", 22));
        // "echo" is what web's resolver says: one echo pod's address, as a Service's would be.
        namespaces.put("web-v1", hosts.add("web", 30, addresses.get("echo-v1") + " echo"));

        String java = ProcessHandle.current().info().command().orElse("java");
        hosts.start(controlPlane, List.of("env", "TRELLIS_HOME=" + work.resolve("control-plane"), "TRELLIS_OPERATOR_KEY=" + OPERATOR_KEY,
                java, "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar",
                Launched.ROOT.resolve(ShopMesh.CONTROL_PLANE_JAR).toString(), "--server.port=8080",
                "--trellis.injection.public-url=http://" + cpAddress + ":8080", "--trellis.fleet.poll-hold=10s"),
                work.resolve("control-plane.log"));
        await(() -> api("GET", "/v1/tenant", null).status() == 401, Duration.ofSeconds(120), "the control plane to start");
        declare();
    }

    @AfterAll
    void stop() throws Exception {
        if (hosts != null) hosts.close();
    }

    private void unpackImage() throws IOException {
        Path tar = Launched.ROOT.resolve("proxy-image/target/trellis-proxy-image.tar");
        NetworkHosts.check("skopeo", "copy", "oci-archive:" + tar, "oci:" + work.resolve("layout") + ":proxy");
        NetworkHosts.check("umoci", "unpack", "--image", work.resolve("layout") + ":proxy", work.resolve("bundle").toString());
        rootfs = work.resolve("bundle/rootfs");
        // The image's ENTRYPOINT, from its OCI config: what a runtime runs before a container's args.
        JsonNode index = JSON.readTree(work.resolve("layout/index.json").toFile());
        JsonNode manifest = JSON.readTree(blob(index.get("manifests").get(0).get("digest").asString()).toFile());
        JsonNode config = JSON.readTree(blob(manifest.get("config").get("digest").asString()).toFile());
        imageEntrypoint = config.get("config").get("Entrypoint").valueStream().map(JsonNode::asString).toList();
    }

    private Path blob(String digest) {
        return work.resolve("layout/blobs/sha256/" + digest.substring("sha256:".length()));
    }

    private void declare() {
        Answer tenant = api("POST", "/v1/tenants", OPERATOR_KEY, "{\"name\": \"pods\"}");
        assertThat(tenant.status()).as(tenant.body()).isEqualTo(201);
        key = JSON.readTree(tenant.body()).get("apiKey").asString();
        write("PUT", "/v1/meshes/shop", "{\"mtls\": \"STRICT\"}");
        write("PUT", "/v1/meshes/shop/services/echo", "{\"protocol\": \"http\", \"port\": 8080, \"versions\": [{\"name\": \"v1\"}, {\"name\": \"v2\"}]}");
        write("PUT", "/v1/meshes/shop/services/web", "{\"protocol\": \"http\", \"port\": 8080, \"versions\": [{\"name\": \"v1\"}]}");
        write("PUT", "/v1/meshes/shop/policies/web-to-echo",
                "{\"kind\": \"ACCESS\", \"target\": {\"service\": \"echo\"}, \"spec\": {\"allow\": [{\"from\": {\"service\": \"web\"}}]}}");
        write("PUT", "/v1/meshes/shop/routes/echo-split", ShopMesh.split(90, 10));
        String yaml = JSON.readTree(write("PUT", "/v1/meshes/shop/injectors/cluster", "{\"mode\": \"redirect\"}").body())
                .get("webhookConfiguration").asString();
        webhook = yaml.lines().map(String::strip).filter(l -> l.startsWith("url:")).findFirst().orElseThrow()
                .substring(4).strip().replace("\"", "");
    }

    @Test
    void injectedPodsCarryAnUnmodifiedClientsCallsOverMtlsAndARouteWriteMovesThem() throws Exception {
        for (String pod : namespaces.keySet()) runPod(pod);
        String web = namespaces.get("web-v1");
        // The redirect is in web's own namespace, not the machine's.
        assertThat(hosts.exec(web, List.of("iptables", "-t", "nat", "-S")).output()).contains("-j REDIRECT --to-ports 15001");
        assertThat(NetworkHosts.run(List.of("iptables", "-t", "nat", "-S")).output()).doesNotContain("TRELLIS_OUTPUT");
        await(() -> callEcho(web, 1).stream().allMatch(a -> a.startsWith("echo v")), Duration.ofSeconds(90), "web to reach echo");

        Map<String, Integer> counts = count(callEcho(web, 200));
        System.out.println("90/10 split, transparently captured in the web pod: " + counts);
        assertThat(counts.keySet()).containsOnly("echo v1", "echo v2");
        assertThat(counts.get("echo v1")).isBetween(160, 196);

        write("PUT", "/v1/meshes/shop/routes/echo-split", ShopMesh.split(0, 100));
        await(() -> callEcho(web, 20).stream().allMatch("echo v2"::equals), Duration.ofSeconds(30), "the route write to move traffic");
        assertThat(count(callEcho(web, 50))).isEqualTo(Map.of("echo v2", 50));

        JsonNode status = JSON.readTree(api("GET", "/v1/meshes/shop/injectors/cluster", key).body()).get("status");
        assertThat(status.get("injected").asInt()).isEqualTo(3);
        JsonNode proxies = JSON.readTree(api("GET", "/v1/meshes/shop/proxies", key).body()).get("items");
        assertThat(proxies).hasSize(3);
    }

    /** The pod through the webhook, then run as a kubelet would: app, init containers in order, sidecar gated on its startup probe. */
    private void runPod(String name) throws Exception {
        String service = name.substring(0, name.indexOf('-'));
        String version = name.substring(name.indexOf('-') + 1);
        String namespace = namespaces.get(name);
        Pod pod = admit(service, version);
        Path emptyDir = Files.createDirectories(work.resolve(name + "-data"));
        NetworkHosts.check("chmod", "777", emptyDir.toString());
        if (service.equals("echo")) {
            hosts.start(namespace, List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx32m", "-cp",
                    Launched.ROOT.resolve("e2e/target/test-classes").toString(), PodApp.class.getName(), service, version, "8080"),
                    work.resolve(name + "-app.log"));
        }
        for (Container container : pod.getSpec().getInitContainers()) {
            List<String> command = containerCommand(container, addresses.get(name), emptyDir);
            if ("Always".equals(container.getRestartPolicy())) {
                hosts.start(namespace, command, work.resolve(name + "-" + container.getName() + ".log"));
                var probe = container.getStartupProbe().getHttpGet();
                String url = "http://" + addresses.get(name) + ":" + probe.getPort().getIntVal() + probe.getPath();
                // Probed from outside the pod, as the kubelet does (inside, the redirect would capture the probe).
                await(() -> hosts.exec(controlPlane, List.of("curl", "-s", "-o", "/dev/null", "-m", "2", "-w", "%{http_code}", url))
                        .output().equals("200"), Duration.ofSeconds(120), name + "'s sidecar to pass its startup probe");
            } else {
                NetworkHosts.Result result = hosts.exec(namespace, command);
                assertThat(result.exit()).as(container.getName() + " of " + name + ": " + result.output()).isZero();
            }
        }
    }

    private Pod admit(String service, String version) throws IOException {
        String template = Files.readString(Launched.ROOT.resolve("e2e/src/test/resources/injection/pod.json"))
                .replace("SERVICE", service).replace("VERSION", version);
        ObjectNode review = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request").put("uid", UUID.randomUUID().toString());
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("namespace", "shop").put("operation", "CREATE").put("dryRun", false);
        request.set("object", JSON.readTree(template));
        NetworkHosts.Result answer = hosts.exec(controlPlane, List.of("curl", "-s", "-S", "-m", "10", "-H", "Content-Type: application/json",
                "--data-binary", review.toString(), webhook));
        JsonNode response = JSON.readTree(answer.output()).get("response");
        assertThat(response.get("allowed").asBoolean()).as(answer.output()).isTrue();
        byte[] patch = Base64.getDecoder().decode(response.get("patch").asString());
        return KUBE.treeToValue(JsonPatch.apply(KUBE.readTree(patch), KUBE.readTree(template)), Pod.class);
    }

    /**
     * One container of the patched spec, run from the image's root filesystem: its own mount namespace
     * with /dev, /proc and its volume mounts, the user of its securityContext, its env exactly (the
     * downward API's status.podIP resolved), the image's entrypoint with the container's args.
     */
    private List<String> containerCommand(Container container, String podIp, Path emptyDir) {
        String root = rootfs.toAbsolutePath().toString();
        StringBuilder script = new StringBuilder("mount --bind /dev '" + root + "/dev' && mount -t proc proc '" + root + "/proc'");
        for (VolumeMount mount : container.getVolumeMounts()) {
            script.append(" && mount --bind '").append(emptyDir).append("' '").append(root).append(mount.getMountPath()).append("'");
        }
        script.append(" && exec env -i PATH=/opt/java/bin:/usr/sbin:/bin");
        for (EnvVar variable : container.getEnv()) {
            String value = variable.getValue();
            if (variable.getValueFrom() != null) {
                assertThat(variable.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
                value = podIp;
            }
            script.append(" '").append(variable.getName()).append('=').append(value).append("'");
        }
        long uid = container.getSecurityContext().getRunAsUser();
        Long gid = container.getSecurityContext().getRunAsGroup();
        script.append(" chroot --userspec=").append(uid).append(':').append(gid == null ? uid : gid).append(" '").append(root).append("'");
        List<String> command = new ArrayList<>(container.getCommand() == null || container.getCommand().isEmpty()
                ? imageEntrypoint : container.getCommand());
        command.addAll(container.getArgs());
        for (String word : command) script.append(" '").append(word).append("'");
        return List.of("unshare", "--mount", "--propagation", "private", "--fork", "sh", "-c", script.toString());
    }

    /** {@code times} calls from web's namespace by plain curl (no proxy settings), one process. */
    private List<String> callEcho(String web, int times) {
        NetworkHosts.Result result = hosts.exec(web, List.of("env", "-i", "curl", "-s", "-m", "60", "-w", "\\n",
                "http://echo:8080/[1-" + times + "]"));
        return result.output().lines().filter(l -> !l.isBlank()).toList();
    }

    private static Map<String, Integer> count(List<String> answers) {
        Map<String, Integer> counts = new HashMap<>();
        answers.forEach(answer -> counts.merge(answer, 1, Integer::sum));
        return counts;
    }

    record Answer(int status, String body) {
    }

    private Answer api(String method, String path, String credential, String... body) {
        List<String> command = new ArrayList<>(List.of("curl", "-s", "-m", "20", "-X", method, "-w", "\\n%{http_code}"));
        if (credential != null) command.addAll(List.of("-H", "Authorization: Bearer " + credential));
        if (body.length > 0 && body[0] != null) command.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", body[0]));
        command.add("http://127.0.0.1:8080" + path);
        String output = hosts.exec(controlPlane, command).output();
        int newline = output.lastIndexOf('\n');
        try {
            return new Answer(Integer.parseInt(output.substring(newline + 1).strip()), newline < 0 ? "" : output.substring(0, newline));
        } catch (NumberFormatException e) {
            return new Answer(0, output);
        }
    }

    private Answer write(String method, String path, String body) {
        Answer answer = api(method, path, key, body);
        assertThat(answer.status()).as(method + " " + path + ": " + answer.body()).isBetween(200, 201);
        return answer;
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(Condition condition, Duration within, String what) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.holds()) return;
            Thread.sleep(250);
        }
        throw new AssertionError("waited " + within.toSeconds() + " s for " + what);
    }
}
