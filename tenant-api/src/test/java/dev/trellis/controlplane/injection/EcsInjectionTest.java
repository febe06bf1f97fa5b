package dev.trellis.controlplane.injection;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.controlplane.web.InvalidRequest;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.ContainerCondition;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerDependency;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.ProxyConfigurationType;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ECS injection on a Fargate task definition (golden request file), its output read by the AWS SDK's
 * own ECS model ({@link RegisterTaskDefinitionRequest}, failing on any field the SDK does not know),
 * compared with a golden file, and injected twice to show nothing changes.
 */
class EcsInjectionTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final ObjectMapper SDK = new ObjectMapper();
    static final Path DATA = Path.of("src/test/resources/injection");

    static EcsInjection.Plan plan(String arn) {
        return new EcsInjection.Plan("shop", "echo", "v1", 8080, arn, "https://trellis.example", PodInjectionTest.SETTINGS);
    }

    static JsonNode request() throws IOException {
        return JSON.readTree(DATA.resolve("ecs-request.json").toFile());
    }

    static RegisterTaskDefinitionRequest parsed(JsonNode taskDefinition) throws IOException {
        return SDK.readValue(taskDefinition.toString(), RegisterTaskDefinitionRequest.serializableBuilderClass()).build();
    }

    @Test
    void theTaskDefinitionGetsTheProxyAnAppMeshProxyConfigurationAndHealthyDependencies() throws IOException {
        JsonNode request = request();
        ObjectNode injected = EcsInjection.inject(request.get("taskDefinition"), plan(request.get("credentialSecretArn").asString()));
        String pretty = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(injected) + "\n";
        Path golden = DATA.resolve("ecs-echo.golden.json");
        if (PodInjectionTest.UPDATE || !Files.exists(golden)) Files.writeString(golden, pretty);
        assertThat(pretty).as("golden file %s (UPDATE_GOLDEN_FILES=true regenerates it)", golden).isEqualTo(Files.readString(golden));

        RegisterTaskDefinitionRequest task = parsed(injected);
        assertThat(task.family()).isEqualTo("echo");
        assertThat(task.containerDefinitions()).extracting(ContainerDefinition::name).containsExactly("trellis-proxy", "echo", "log-router");
        ContainerDefinition proxy = task.containerDefinitions().getFirst();
        assertThat(proxy.user()).isEqualTo("1337");
        assertThat(proxy.essential()).isTrue();
        assertThat(proxy.healthCheck().command()).containsExactly("CMD", "/trellis/entrypoint", "health");
        assertThat(proxy.secrets()).singleElement().satisfies(secret -> {
            assertThat(secret.name()).isEqualTo("TRELLIS_JOIN_TOKEN");
            assertThat(secret.valueFrom()).isEqualTo("arn:aws:secretsmanager:eu-west-1:123456789012:secret:trellis/shop/echo-AbCdEf");
        });
        // The credential is never written in plain text.
        assertThat(proxy.environment()).extracting(KeyValuePair::name).doesNotContain("TRELLIS_JOIN_TOKEN");
        assertThat(proxy.environment()).extracting(KeyValuePair::name, KeyValuePair::value).contains(
                org.assertj.core.groups.Tuple.tuple("TRELLIS_SERVICE", "echo"),
                org.assertj.core.groups.Tuple.tuple("TRELLIS_VERSION", "v1"),
                org.assertj.core.groups.Tuple.tuple("TRELLIS_APP_PORT", "8080"));

        assertThat(task.proxyConfiguration().type()).isEqualTo(ProxyConfigurationType.APPMESH);
        assertThat(task.proxyConfiguration().containerName()).isEqualTo("trellis-proxy");
        Map<String, String> properties = task.proxyConfiguration().properties().stream()
                .collect(Collectors.toMap(KeyValuePair::name, KeyValuePair::value));
        assertThat(properties).containsExactlyInAnyOrderEntriesOf(Map.of("IgnoredUID", "1337", "ProxyIngressPort", "15006",
                "ProxyEgressPort", "15001", "AppPorts", "8080", "EgressIgnoredIPs", "169.254.170.2,169.254.169.254"));

        for (ContainerDefinition app : task.containerDefinitions().subList(1, 3)) {
            assertThat(app.dependsOn()).contains(ContainerDependency.builder().containerName("trellis-proxy")
                    .condition(ContainerCondition.HEALTHY).build());
        }
        // What the user wrote stays: the log router still waits for echo to start.
        assertThat(task.containerDefinitions().get(2).dependsOn()).hasSize(2);
        assertThat(task.containerDefinitions().get(1).logConfiguration().logDriverAsString()).isEqualTo("awslogs");
    }

    @Test
    void reInjectingAnInjectedTaskDefinitionChangesNothing() throws IOException {
        JsonNode request = request();
        EcsInjection.Plan plan = plan(request.get("credentialSecretArn").asString());
        ObjectNode once = EcsInjection.inject(request.get("taskDefinition"), plan);
        ObjectNode twice = EcsInjection.inject(once, plan);
        assertThat(twice).isEqualTo(once);
        assertThat(parsed(twice)).isEqualTo(parsed(once));
    }

    @Test
    void aTaskDefinitionThatCannotCarryTheProxyIsRefusedWithEveryReason() throws IOException {
        ObjectNode task = (ObjectNode) request().get("taskDefinition").deepCopy();
        task.put("networkMode", "bridge");
        task.putObject("proxyConfiguration").put("type", "APPMESH").put("containerName", "envoy");
        assertThatThrownBy(() -> EcsInjection.inject(task, plan("arn:aws:ssm:eu-west-1:123456789012:parameter/x")))
                .isInstanceOfSatisfying(InvalidRequest.class, e -> assertThat(e.violations())
                        .extracting(v -> v.field()).containsExactly("taskDefinition.networkMode", "taskDefinition.proxyConfiguration"));
        ObjectNode empty = JSON.createObjectNode().put("family", "x");
        assertThatThrownBy(() -> EcsInjection.inject(empty, plan("arn:aws:ssm:eu-west-1:123456789012:parameter/x")))
                .isInstanceOf(InvalidRequest.class);
    }
}
