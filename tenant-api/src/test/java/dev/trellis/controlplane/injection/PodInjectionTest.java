package dev.trellis.controlplane.injection;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.zjsonpatch.JsonPatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook's patch, applied to a pod as the API server sends it (golden request file) with a JSON
 * Patch library, and the result read back as a Pod by the fabric8 Kubernetes model: which containers
 * exist, in which order, with what privileges, env, probes and volumes. The patched pods are golden
 * files ({@code -Dgolden.update=true} or {@code UPDATE_GOLDEN_FILES=true} rewrites them).
 */
class PodInjectionTest {
    static final Path DATA = Path.of("src/test/resources/injection");
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final ObjectMapper KUBE = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final boolean UPDATE = Boolean.getBoolean("golden.update") || "true".equals(System.getenv("UPDATE_GOLDEN_FILES"));
    static final InjectionSettings SETTINGS = new InjectionSettings("trellis/proxy:0.1.0", "https://trellis.example",
            "30m", 1337, "160Mi", "100m", 5);

    static ObjectNode pod() throws IOException {
        return (ObjectNode) JSON.readTree(DATA.resolve("admission-review-echo.json").toFile()).get("request").get("object");
    }

    static PodInjection.Plan plan(String mode, boolean nativeSidecars, String token) {
        return new PodInjection.Plan("k8s", "shop", new PodInjection.Workload("echo", "v1"), 8080,
                new InjectorSpec(mode, "Ignore", nativeSidecars), "https://trellis.example", token, SETTINGS);
    }

    /** The pod after the patch, as the API server would store it, parsed by fabric8. */
    static Pod patched(JsonNode pod, PodInjection.Plan plan) throws IOException {
        com.fasterxml.jackson.databind.JsonNode patch = KUBE.readTree(PodInjection.patch(pod, plan).toString());
        com.fasterxml.jackson.databind.JsonNode result = JsonPatch.apply(patch, KUBE.readTree(pod.toString()));
        return KUBE.treeToValue(result, Pod.class);
    }

    @ParameterizedTest(name = "{0} sidecar, {1} mode")
    @CsvSource({"native, redirect", "plain, redirect", "native, explicit", "plain, explicit"})
    void thePatchAddsTheProxyAsTheInjectorSays(String sidecar, String mode) throws IOException {
        boolean nativeSidecars = sidecar.equals("native");
        Pod pod = patched(pod(), plan(mode, nativeSidecars, "trj_abcdefghijkm_secret"));
        golden(sidecar + "-" + mode, pod);

        List<Container> inits = pod.getSpec().getInitContainers();
        List<Container> containers = pod.getSpec().getContainers();
        Container proxy = (nativeSidecars ? inits : containers).stream()
                .filter(c -> c.getName().equals("trellis-proxy")).findFirst().orElseThrow();
        if (nativeSidecars) {
            assertThat(proxy.getRestartPolicy()).isEqualTo("Always");
            assertThat(containers).extracting(Container::getName).containsExactly("echo");
        } else {
            assertThat(proxy.getRestartPolicy()).isNull();
            assertThat(containers).extracting(Container::getName).containsExactly("trellis-proxy", "echo");
        }
        assertThat(inits).extracting(Container::getName).containsExactlyElementsOf(
                mode.equals("redirect") ? (nativeSidecars ? List.of("trellis-init", "trellis-proxy") : List.of("trellis-init"))
                        : (nativeSidecars ? List.of("trellis-proxy") : List.of()));

        Map<String, EnvVar> env = proxy.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertThat(env.get("TRELLIS_JOIN_TOKEN").getValue()).isEqualTo("trj_abcdefghijkm_secret");
        assertThat(env.get("TRELLIS_MESH").getValue()).isEqualTo("shop");
        assertThat(env.get("TRELLIS_SERVICE").getValue()).isEqualTo("echo");
        assertThat(env.get("TRELLIS_VERSION").getValue()).isEqualTo("v1");
        assertThat(env.get("TRELLIS_APP_PORT").getValue()).isEqualTo("8080");
        assertThat(env.get("TRELLIS_CONTROL_PLANE").getValue()).isEqualTo("https://trellis.example");
        assertThat(env.get("TRELLIS_ADVERTISE_ADDRESS").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
        assertThat(env.get("TRELLIS_DATA_DIR").getValue()).isEqualTo("/var/run/trellis");
        assertThat(proxy.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("trellis-data");
            assertThat(m.getMountPath()).isEqualTo("/var/run/trellis");
        });
        assertThat(pod.getSpec().getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("trellis-data");
            assertThat(v.getEmptyDir()).isNotNull();
        });
        // The service account's projected volume is still there: the patch only adds.
        assertThat(pod.getSpec().getVolumes()).extracting(v -> v.getName()).contains("kube-api-access-x7k2p");
        assertThat(proxy.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
        assertThat(proxy.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(15000);
        assertThat(proxy.getStartupProbe().getHttpGet().getPort().getIntVal()).isEqualTo(15000);
        assertThat(proxy.getResources().getLimits().get("memory").toString()).isEqualTo("160Mi");
        assertThat(proxy.getResources().getRequests().get("memory").toString()).isEqualTo("160Mi");
        assertThat(proxy.getSecurityContext().getRunAsUser()).isEqualTo(1337L);
        assertThat(proxy.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(proxy.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(proxy.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();

        Container app = containers.stream().filter(c -> c.getName().equals("echo")).findFirst().orElseThrow();
        boolean anyNetAdmin = pod.getSpec().getInitContainers().stream().anyMatch(c -> c.getSecurityContext() != null
                && c.getSecurityContext().getCapabilities() != null
                && c.getSecurityContext().getCapabilities().getAdd() != null
                && c.getSecurityContext().getCapabilities().getAdd().contains("NET_ADMIN"));
        if (mode.equals("redirect")) {
            Container init = inits.getFirst();
            assertThat(init.getArgs()).containsExactly("init");
            assertThat(init.getSecurityContext().getCapabilities().getAdd()).contains("NET_ADMIN");
            assertThat(init.getEnv()).extracting(EnvVar::getName, EnvVar::getValue).contains(
                    org.assertj.core.groups.Tuple.tuple("TRELLIS_PROXY_UID", "1337"));
            assertThat(app.getEnv()).isNullOrEmpty();
        } else {
            assertThat(anyNetAdmin).isFalse();
            assertThat(app.getEnv()).extracting(EnvVar::getName, EnvVar::getValue).contains(
                    org.assertj.core.groups.Tuple.tuple("HTTP_PROXY", "http://127.0.0.1:15001"),
                    org.assertj.core.groups.Tuple.tuple("NO_PROXY", "localhost,127.0.0.1,::1"));
        }
        String status = pod.getMetadata().getAnnotations().get("trellis.dev/status");
        assertThat(JSON.readTree(status).get("service").asString()).isEqualTo("echo");
        assertThat(status).doesNotContain("trj_");
    }

    @Test
    void anInjectedPodIsNotInjectedAgainSoAReinvocationGivesTheSamePod() throws IOException {
        Pod once = patched(pod(), plan("redirect", true, "trj_abcdefghijkm_secret"));
        JsonNode asSent = JSON.readTree(KUBE.writeValueAsString(once));
        // Another webhook changed the pod after us; the API server calls us again (reinvocationPolicy: IfNeeded).
        ((ObjectNode) asSent.get("metadata").get("labels")).put("other-webhook", "was-here");
        assertThat(PodInjection.skip(asSent)).get().extracting(Skip::reason).isEqualTo(Skip.ALREADY_INJECTED);

        // Even with the status annotation removed, the proxy container gives it away.
        ((ObjectNode) asSent.get("metadata").get("annotations")).remove("trellis.dev/status");
        assertThat(PodInjection.skip(asSent)).get().extracting(Skip::reason).isEqualTo(Skip.ALREADY_INJECTED);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "opted-out, labels, trellis.dev/inject, disabled",
            "host-network, spec, hostNetwork, true",
            "other-mesh, annotations, sidecar.istio.io/status, '{\"containers\":[\"istio-proxy\"]}'"})
    void podsThatMustNotBeInjectedAreSkippedWithTheirReason(String reason, String where, String key, String value) throws IOException {
        ObjectNode pod = pod();
        assertThat(PodInjection.skip(pod)).isEmpty();
        switch (where) {
            case "labels" -> ((ObjectNode) pod.get("metadata").get("labels")).put(key, value);
            case "spec" -> ((ObjectNode) pod.get("spec")).put(key, Boolean.parseBoolean(value));
            default -> ((ObjectNode) pod.get("metadata")).putObject("annotations").put(key, value);
        }
        assertThat(PodInjection.skip(pod)).get().satisfies(skip -> {
            assertThat(skip.reason()).isEqualTo(reason);
            assertThat(skip.warning()).startsWith("trellis: not injected (" + reason + "): ");
        });
    }

    @Test
    void anotherMeshsSidecarContainerIsSeenWithoutItsAnnotation() throws IOException {
        ObjectNode pod = pod();
        ((tools.jackson.databind.node.ArrayNode) pod.get("spec").get("containers")).addObject()
                .put("name", "linkerd-proxy").put("image", "example/linkerd-proxy");
        assertThat(PodInjection.skip(pod)).get().extracting(Skip::reason).isEqualTo(Skip.OTHER_MESH);
    }

    @Test
    void serviceAndVersionComeFromTrellisLabelsFirstThenTheRecommendedLabels() throws IOException {
        ObjectNode pod = pod();
        assertThat(PodInjection.workload(pod)).contains(new PodInjection.Workload("echo", "v1"));
        ObjectNode labels = (ObjectNode) pod.get("metadata").get("labels");
        labels.put("trellis.dev/service", "echo-api").put("trellis.dev/version", "v2");
        assertThat(PodInjection.workload(pod)).contains(new PodInjection.Workload("echo-api", "v2"));
        labels.removeAll();
        labels.put("trellis.dev/service", "echo");
        assertThat(PodInjection.workload(pod)).contains(new PodInjection.Workload("echo", null));
        labels.removeAll();
        assertThat(PodInjection.workload(pod)).isEmpty();
        assertThat(PodInjection.podName(pod)).isEqualTo("echo-v1-7d9c5b8f6d-*");
    }

    @Test
    void aPodWithoutAnnotationsOrInitContainersOrEnvStillPatchesCleanly() throws IOException {
        ObjectNode pod = pod();
        ((ObjectNode) pod.get("spec")).remove("volumes");
        Pod patched = patched(pod, plan("explicit", false, null));
        assertThat(patched.getSpec().getVolumes()).extracting(v -> v.getName()).containsExactly("trellis-data");
        assertThat(patched.getSpec().getContainers().getFirst().getEnv()).extracting(EnvVar::getName)
                .contains("TRELLIS_JOIN_TOKEN");
        // A dry run's pod carries no token.
        assertThat(patched.getSpec().getContainers().getFirst().getEnv()).filteredOn(e -> e.getName().equals("TRELLIS_JOIN_TOKEN"))
                .extracting(EnvVar::getValue).containsExactly("");
    }

    private static void golden(String name, Pod pod) throws IOException {
        Path file = DATA.resolve("pod-" + name + ".golden.json");
        String actual = KUBE.writeValueAsString(pod) + "\n";
        if (UPDATE || !Files.exists(file)) Files.writeString(file, actual);
        assertThat(actual).as("golden file %s (regenerate with UPDATE_GOLDEN_FILES=true and review the diff)", file)
                .isEqualTo(Files.readString(file));
    }
}
