package dev.trellis.infra;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import dev.trellis.infra.StrictManifests.ExternalSecret;
import dev.trellis.infra.StrictManifests.TargetGroupBinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * infra/terraform with the real terraform CLI, offline: the files are formatted, and the
 * provider-free render module, applied with local state, outputs Kubernetes objects that fabric8's
 * model reads strictly and that fit together (selectors, secret keys, probes, the autoscaler's
 * target). What needs a provider (planning RDS, applying to a cluster) cannot run here; see
 * infra/terraform/README.md.
 */
@Timeout(240)
class TerraformManifestsIT {
    static final Path MODULES = Path.of("terraform").toAbsolutePath();

    @TempDir
    Path work;

    @Test
    void theModulesAreFormatted() throws Exception {
        Result fmt = terraform(MODULES, "fmt", "-check", "-recursive", "-diff");
        assertThat(fmt.exit()).as(fmt.output()).isZero();
    }

    @Test
    void theControlPlaneObjectsParseStrictlyAndFitTogether() throws Exception {
        Map<String, Object> objects = render("-var", "replicas=3", "-var", "max_replicas=12");
        assertThat(objects.keySet()).containsExactlyInAnyOrder("service_account", "external_secret", "deployment", "service",
                "pod_disruption_budget", "horizontal_pod_autoscaler");

        Deployment deployment = (Deployment) objects.get("deployment");
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
        var pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        Container container = pod.getContainers().getFirst();
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/livez");
        Set<String> portNames = container.getPorts().stream().map(p -> p.getName()).collect(Collectors.toSet());
        assertThat(portNames).contains(container.getReadinessProbe().getHttpGet().getPort().getStrVal(),
                container.getLivenessProbe().getHttpGet().getPort().getStrVal());
        // Every mount has its volume (the root filesystem is read-only).
        Set<String> volumes = pod.getVolumes().stream().map(v -> v.getName()).collect(Collectors.toSet());
        container.getVolumeMounts().forEach(mount -> assertThat(volumes).contains(mount.getName()));

        // Every secret the container reads is a key the ExternalSecret writes into the Secret it names.
        ExternalSecret secret = (ExternalSecret) objects.get("external_secret");
        Set<String> written = secret.spec().data().stream().map(ExternalSecret.Data::secretKey).collect(Collectors.toSet());
        Map<String, EnvVar> env = container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        List<String> fromSecret = new ArrayList<>();
        env.values().stream().filter(e -> e.getValueFrom() != null).forEach(e -> {
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo(secret.spec().target().name());
            assertThat(written).contains(e.getValueFrom().getSecretKeyRef().getKey());
            fromSecret.add(e.getName());
        });
        assertThat(fromSecret).containsExactlyInAnyOrder("TRELLIS_MASTER_KEY", "TRELLIS_OPERATOR_KEY",
                "SPRING_DATASOURCE_PASSWORD", "SPRING_FLYWAY_PASSWORD");
        assertThat(secret.spec().data()).filteredOn(d -> d.secretKey().equals("migration-password"))
                .singleElement().satisfies(d -> assertThat(d.remoteRef().property()).isEqualTo("password"));
        assertThat(env.get("SPRING_DATASOURCE_USERNAME").getValue()).isEqualTo("trellis_app");
        assertThat(env).doesNotContainKey("TRELLIS_OIDC_ISSUER_URI");

        Service service = (Service) objects.get("service");
        assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(portNames).contains(service.getSpec().getPorts().getFirst().getTargetPort().getStrVal());

        PodDisruptionBudget budget = (PodDisruptionBudget) objects.get("pod_disruption_budget");
        assertThat(podLabels).containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
        assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);

        HorizontalPodAutoscaler autoscaler = (HorizontalPodAutoscaler) objects.get("horizontal_pod_autoscaler");
        assertThat(autoscaler.getSpec().getScaleTargetRef().getName()).isEqualTo(deployment.getMetadata().getName());
        assertThat(autoscaler.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(autoscaler.getSpec().getMinReplicas()).isEqualTo(3);
        assertThat(autoscaler.getSpec().getMaxReplicas()).isEqualTo(12);
    }

    @Test
    void keycloakAndTheAwsTargetGroupAreOptionsThatAddTheirObjects() throws Exception {
        String arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/trellis/0123456789abcdef";
        Map<String, Object> objects = render("-var", "with_keycloak=true", "-var", "aws_target_group_arn=" + arn,
                "-var", "rotating_master_key=true");
        assertThat(objects.keySet()).contains("keycloak_deployment", "keycloak_service", "keycloak_peers",
                "keycloak_external_secret", "keycloak_pod_disruption_budget", "target_group_binding");

        Deployment keycloak = (Deployment) objects.get("keycloak_deployment");
        Container container = keycloak.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(container.getArgs()).containsExactly("start");
        assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("management");
        Service peers = (Service) objects.get("keycloak_peers");
        assertThat(peers.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(container.getEnv()).anySatisfy(e -> assertThat(e.getValue()).contains(peers.getMetadata().getName() + "."));

        // The control plane trusts the Keycloak realm's tokens.
        Deployment controlPlane = (Deployment) objects.get("deployment");
        assertThat(controlPlane.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv())
                .anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo("TRELLIS_OIDC_ISSUER_URI");
                    assertThat(e.getValue()).isEqualTo("https://id.trellis.example/realms/trellis");
                });

        // During a master key rotation the previous keys come from the secret store too.
        ExternalSecret secret = (ExternalSecret) objects.get("external_secret");
        assertThat(secret.spec().data()).extracting(ExternalSecret.Data::secretKey).contains("master-keys-previous");
        assertThat(controlPlane.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv())
                .anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo("TRELLIS_MASTER_KEYS_PREVIOUS");
                    assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("master-keys-previous");
                });

        TargetGroupBinding binding = (TargetGroupBinding) objects.get("target_group_binding");
        Service service = (Service) objects.get("service");
        assertThat(binding.spec().targetGroupARN()).isEqualTo(arn);
        assertThat(binding.spec().serviceRef().name()).isEqualTo(service.getMetadata().getName());
        assertThat(binding.spec().serviceRef().port()).isEqualTo(service.getSpec().getPorts().getFirst().getPort());
    }

    @Test
    void aSingleReplicaIsRefusedBeforeAnythingIsRendered() throws Exception {
        Path copy = copyModules();
        assertThat(terraform(copy.resolve("render"), "init", "-input=false").exit()).isZero();
        Result apply = terraform(copy.resolve("render"), "apply", "-auto-approve", "-input=false", "-var", "replicas=1");
        assertThat(apply.exit()).isNotZero();
        assertThat(apply.output()).contains("replicas must be a whole number of at least 2");
    }

    @Test
    void theStrictReaderRefusesAFieldTheModelDoesNotKnow() throws Exception {
        String misplaced = """
                {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
                 "spec": {"replicas": 2, "selector": {"matchLabels": {"a": "b"}},
                          "template": {"spec": {"containers": [{"name": "c", "image": "i", "readinessProbe": {"path": "/ready"}}]}}}}""";
        assertThatThrownBy(() -> StrictManifests.parse(misplaced)).hasMessageContaining("path");
        String unknownCustomField = """
                {"apiVersion": "elbv2.k8s.aws/v1beta1", "kind": "TargetGroupBinding", "metadata": {"name": "x"},
                 "spec": {"serviceRef": {"name": "s", "port": 80}, "targetGroupArn": "arn"}}""";
        assertThatThrownBy(() -> StrictManifests.parse(unknownCustomField)).hasMessageContaining("targetGroupArn");
        assertThatThrownBy(() -> StrictManifests.parse("{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}"))
                .hasMessageContaining("no model for v1/Pod");
    }

    /** Applies the render module (local state, no provider) and parses every object it outputs. */
    private Map<String, Object> render(String... variables) throws Exception {
        Path copy = copyModules();
        Path render = copy.resolve("render");
        Result init = terraform(render, "init", "-input=false");
        assertThat(init.exit()).as(init.output()).isZero();
        List<String> apply = new ArrayList<>(List.of("apply", "-auto-approve", "-input=false"));
        apply.addAll(List.of(variables));
        Result applied = terraform(render, apply.toArray(String[]::new));
        assertThat(applied.exit()).as(applied.output()).isZero();
        Result output = terraform(render, "output", "-json", "manifests");
        assertThat(output.exit()).as(output.output()).isZero();
        JsonNode manifests = StrictManifests.MAPPER.readTree(output.stdout());
        Map<String, Object> objects = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = manifests.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            objects.put(entry.getKey(), StrictManifests.parse(entry.getValue().asText()));
        }
        return objects;
    }

    /** The modules copied, so terraform's state and .terraform stay out of the source tree. */
    private Path copyModules() throws IOException {
        Path copy = Files.createTempDirectory(work, "terraform-");
        try (Stream<Path> files = Files.walk(MODULES)) {
            for (Path file : (Iterable<Path>) files.filter(f -> !f.toString().contains("/.terraform"))::iterator) {
                Path target = copy.resolve(MODULES.relativize(file).toString());
                if (Files.isDirectory(file)) Files.createDirectories(target);
                else if (file.toString().endsWith(".tf")) Files.copy(file, target);
            }
        }
        return copy;
    }

    record Result(int exit, String stdout, String output) {
    }

    private Result terraform(Path directory, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("terraform", "-chdir=" + directory));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command);
        // No plugin cache or CLI settings of this machine, no checkpoint call, no colour.
        builder.environment().put("TF_CLI_CONFIG_FILE", Files.writeString(work.resolve("terraformrc"), "").toString());
        builder.environment().put("CHECKPOINT_DISABLE", "1");
        builder.environment().put("TF_IN_AUTOMATION", "1");
        builder.environment().put("NO_COLOR", "1");
        builder.environment().put("TF_DATA_DIR", directory.resolve(".terraform").toString());
        Path stderr = Files.createTempFile(work, "stderr-", ".txt");
        builder.redirectError(stderr.toFile());
        Process process = builder.start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("terraform " + String.join(" ", arguments) + " did not finish");
        }
        return new Result(process.exitValue(), stdout, stdout + Files.readString(stderr));
    }
}
