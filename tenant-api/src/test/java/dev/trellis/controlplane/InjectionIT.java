package dev.trellis.controlplane;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.zjsonpatch.JsonPatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kubernetes injectors against the real control plane: the resource (ETag, roles, tenants), the
 * webhook configuration it answers once, and the hosted webhook called as an API server calls it, its
 * answer read by the fabric8 model and its patch applied by a JSON Patch library; the join token it
 * minted registers exactly one proxy of the pod's service and version.
 */
@Timeout(120)
class InjectionIT extends ControlPlaneIT {
    private static final ObjectMapper KUBE = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private String declareInjector(String key, String body) {
        declareShop(key);
        Api.Response created = api.put("/v1/meshes/shop/injectors/k8s", key, body);
        assertThat(created.status()).isEqualTo(201);
        return created.json().get("webhookConfiguration").asString();
    }

    private static String webhookPath(String yaml) throws Exception {
        MutatingWebhookConfiguration configuration = YAML.readValue(yaml, MutatingWebhookConfiguration.class);
        return URI.create(configuration.getWebhooks().getFirst().getClientConfig().getUrl()).getPath();
    }

    private static String review(String mutate) throws Exception {
        ObjectNode review = (ObjectNode) Api.JSON.readTree(Files.readString(Path.of("src/test/resources/injection/admission-review-echo.json")));
        ObjectNode request = (ObjectNode) review.get("request");
        switch (mutate) {
            case "dryRun" -> request.put("dryRun", true);
            case "hostNetwork" -> ((ObjectNode) request.get("object").get("spec")).put("hostNetwork", true);
            case "noLabels" -> ((ObjectNode) request.get("object").get("metadata")).putObject("labels");
            case "unknownVersion" -> ((ObjectNode) request.get("object").get("metadata").get("labels")).put("app.kubernetes.io/version", "v9");
            default -> {
            }
        }
        return review.toString();
    }

    private AdmissionReview admit(String path, String body) throws Exception {
        Api.Response answer = api.post(path, null, body);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return KUBE.readValue(answer.bytes(), AdmissionReview.class);
    }

    private static Pod patched(AdmissionReview review) throws Exception {
        JsonNode original = Api.JSON.readTree(Files.readString(Path.of("src/test/resources/injection/admission-review-echo.json")));
        byte[] patch = Base64.getDecoder().decode(review.getResponse().getPatch());
        var result = JsonPatch.apply(KUBE.readTree(patch), KUBE.readTree(original.get("request").get("object").toString()));
        return KUBE.treeToValue(result, Pod.class);
    }

    @Test
    void anInjectorAnswersItsWebhookConfigurationOnceAndItsWebhookInjectsAPod() throws Exception {
        String key = newTenant();
        String yaml = declareInjector(key, "{\"failurePolicy\": \"Fail\"}");
        MutatingWebhookConfiguration configuration = YAML.readValue(yaml, MutatingWebhookConfiguration.class);
        assertThat(configuration.getApiVersion()).isEqualTo("admissionregistration.k8s.io/v1");
        assertThat(configuration.getWebhooks()).hasSize(2);
        for (MutatingWebhook webhook : configuration.getWebhooks()) {
            assertThat(webhook.getSideEffects()).isEqualTo("NoneOnDryRun");
            assertThat(webhook.getTimeoutSeconds()).isBetween(1, 10);
            assertThat(webhook.getFailurePolicy()).isEqualTo("Fail");
            assertThat(webhook.getReinvocationPolicy()).isEqualTo("IfNeeded");
            assertThat(webhook.getAdmissionReviewVersions()).containsExactly("v1");
            assertThat(webhook.getClientConfig().getUrl()).contains("/v1/injection/kubernetes/tri_");
            assertThat(webhook.getNamespaceSelector().getMatchExpressions()).anySatisfy(e -> {
                assertThat(e.getKey()).isEqualTo("kubernetes.io/metadata.name");
                assertThat(e.getOperator()).isEqualTo("NotIn");
                assertThat(e.getValues()).containsExactly("kube-system");
            });
            assertThat(webhook.getObjectSelector().getMatchExpressions()).extracting(e -> e.getKey()).containsExactly("trellis.dev/inject");
        }
        // A replace does not show the secret again; the stored document has every field written out.
        Api.Response replaced = api.put("/v1/meshes/shop/injectors/k8s", key, "{\"failurePolicy\": \"Fail\", \"mode\": \"redirect\"}");
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(replaced.json().has("webhookConfiguration")).isFalse();
        assertThat(replaced.json().get("nativeSidecars").asBoolean()).isTrue();

        AdmissionReview answer = admit(webhookPath(yaml), review(""));
        assertThat(answer.getResponse().getUid()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
        assertThat(answer.getResponse().getAllowed()).isTrue();
        assertThat(answer.getResponse().getPatchType()).isEqualTo("JSONPatch");
        assertThat(answer.getResponse().getWarnings()).isNullOrEmpty();
        Pod pod = patched(answer);
        assertThat(pod.getSpec().getInitContainers()).extracting(c -> c.getName()).containsExactly("trellis-init", "trellis-proxy");
        String token = pod.getSpec().getInitContainers().get(1).getEnv().stream()
                .filter(e -> e.getName().equals("TRELLIS_JOIN_TOKEN")).findFirst().orElseThrow().getValue();
        String controlPlane = pod.getSpec().getInitContainers().get(1).getEnv().stream()
                .filter(e -> e.getName().equals("TRELLIS_CONTROL_PLANE")).findFirst().orElseThrow().getValue();
        assertThat(controlPlane).isEqualTo("http://127.0.0.1:" + port);

        // The pod's token registers one proxy, of the pod's service and version, once.
        Api fleet = new Api(port, exchange -> { });
        String registration = Api.JSON.createObjectNode().put("joinToken", token).put("csr", ProxyKey.generate().csr()).toString();
        Api.Response registered = fleet.post("/v1/fleet/register", null, registration);
        assertThat(registered.status()).isEqualTo(201);
        assertThat(registered.json().get("service").asString()).isEqualTo("echo");
        assertThat(registered.json().get("version").asString()).isEqualTo("v1");
        assertThat(fleet.post("/v1/fleet/register", null, registration).status()).isEqualTo(401);

        JsonNode status = api.get("/v1/meshes/shop/injectors/k8s", key).json().get("status");
        assertThat(status.get("injected").asLong()).isEqualTo(1);
    }

    @Test
    void everySkipIsAWarningAndACounterAndADryRunMintsAndCountsNothing() throws Exception {
        String key = newTenant();
        String path = webhookPath(declareInjector(key, "{}"));

        AdmissionReview dryRun = admit(path, review("dryRun"));
        assertThat(dryRun.getResponse().getPatch()).isNotNull();
        Pod pod = patched(dryRun);
        assertThat(pod.getSpec().getInitContainers().get(1).getEnv()).filteredOn(e -> e.getName().equals("TRELLIS_JOIN_TOKEN"))
                .extracting(e -> e.getValue()).containsExactly("");

        for (String[] skip : new String[][]{{"hostNetwork", "host-network"}, {"noLabels", "no-service-label"},
                {"unknownVersion", "unknown-version"}, {"hostNetwork", "host-network"}}) {
            AdmissionReview answer = admit(path, review(skip[0]));
            assertThat(answer.getResponse().getAllowed()).isTrue();
            assertThat(answer.getResponse().getPatch()).isNull();
            assertThat(answer.getResponse().getWarnings()).singleElement().asString().startsWith("trellis: not injected (" + skip[1] + ")");
        }

        // An already injected pod (a reinvocation) is left as it is.
        AdmissionReview first = admit(path, review(""));
        ObjectNode again = (ObjectNode) Api.JSON.readTree(review(""));
        again.set("request", ((ObjectNode) again.get("request")).set("object", Api.JSON.readTree(KUBE.writeValueAsString(patched(first)))));
        AdmissionReview reinvoked = admit(path, again.toString());
        assertThat(reinvoked.getResponse().getPatch()).isNull();
        assertThat(reinvoked.getResponse().getWarnings()).singleElement().asString().contains("already-injected");

        JsonNode status = api.get("/v1/meshes/shop/injectors/k8s", key).json().get("status");
        assertThat(status.get("injected").asLong()).isEqualTo(1);
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        status.get("skipped").forEach(s -> counts.put(s.get("reason").asString(), s.get("count").asLong()));
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                "host-network", 2L, "no-service-label", 1L, "unknown-version", 1L, "already-injected", 1L));
        assertThat(status.get("skipped")).anySatisfy(s -> assertThat(s.get("lastPod").asString()).isEqualTo("echo-v1-7d9c5b8f6d-*"));
    }

    @Test
    void aRotatedOrDeletedInjectorsOldUrlStopsWorkingAndOtherTenantsSeeNothing() throws Exception {
        String key = newTenant();
        String oldPath = webhookPath(declareInjector(key, "{\"mode\": \"explicit\", \"nativeSidecars\": false}"));
        String etag = api.get("/v1/meshes/shop/injectors/k8s", key).header("ETag");
        assertThat(api.put("/v1/meshes/shop/injectors/k8s", key, "{\"mode\": \"explicit\"}", "If-Match", "\"999\"").status()).isEqualTo(412);
        assertThat(etag).isEqualTo("\"1\"");

        Api.Response rotated = api.post("/v1/meshes/shop/injectors/k8s/secret", key, null);
        assertThat(rotated.status()).isEqualTo(200);
        String newPath = webhookPath(rotated.json().get("webhookConfiguration").asString());
        assertThat(newPath).isNotEqualTo(oldPath);
        assertThat(api.post(oldPath, null, review("")).status()).isEqualTo(404);
        assertThat(admit(newPath, review("")).getResponse().getPatch()).isNotNull();

        String viewer = newKey(key, "viewer");
        assertThat(api.get("/v1/meshes/shop/injectors", viewer).json().get("items")).hasSize(1);
        assertThat(api.put("/v1/meshes/shop/injectors/other", viewer, "{}").status()).isEqualTo(403);
        assertThat(api.put("/v1/meshes/shop/injectors/k8s", key, "{\"mode\": \"sideways\", \"extra\": 1}").json()
                .get("violations")).hasSize(2);

        String stranger = newTenant();
        declareShop(stranger);
        assertThat(api.get("/v1/meshes/shop/injectors/k8s", stranger).status()).isEqualTo(404);
        assertThat(api.delete("/v1/meshes/shop/injectors/k8s", stranger).status()).isEqualTo(404);

        assertThat(api.delete("/v1/meshes/shop/injectors/k8s?dryRun=true", key).status()).isEqualTo(200);
        assertThat(admit(newPath, review("")).getResponse().getAllowed()).isTrue();
        assertThat(api.delete("/v1/meshes/shop/injectors/k8s", key).status()).isEqualTo(204);
        assertThat(api.post(newPath, null, review("")).status()).isEqualTo(404);
        assertThat(api.get("/v1/meshes/shop/injectors/k8s", key).status()).isEqualTo(404);
        assertThat(api.post("/v1/injection/kubernetes/not-a-secret", null, review("")).status()).isEqualTo(404);
        assertThat(new String(api.post(newPath, null, "{}").bytes(), StandardCharsets.UTF_8)).contains("request.uid");
    }

    @Test
    void ecsInjectionAnswersTheTaskDefinitionAndATaskTokenThatManyTasksShareUntilRevoked() throws Exception {
        String key = newTenant();
        declareShop(key);
        String request = Files.readString(Path.of("src/test/resources/injection/ecs-request.json"));
        Api.Response answer = api.post("/v1/meshes/shop/injection/ecs?taskToken=true", key, request);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonNode taskToken = answer.json().get("taskToken");
        assertThat(answer.json().get("taskDefinition").get("proxyConfiguration").get("type").asString()).isEqualTo("APPMESH");
        assertThat(answer.body()).doesNotContain(taskToken.get("token").asString().substring(4) + "\"}]");
        assertThat(answer.json().get("taskDefinition").toString()).doesNotContain(taskToken.get("token").asString());

        // Re-injecting the answer changes nothing; without ?taskToken no token is minted.
        ObjectNode again = (ObjectNode) Api.JSON.readTree(request);
        again.set("taskDefinition", answer.json().get("taskDefinition"));
        Api.Response reinjected = api.post("/v1/meshes/shop/injection/ecs", key, again.toString());
        assertThat(reinjected.json().get("taskDefinition")).isEqualTo(answer.json().get("taskDefinition"));
        assertThat(reinjected.json().has("taskToken")).isFalse();

        // Two tasks of the definition register with the same token, as their own proxies.
        Api fleet = new Api(port, exchange -> { });
        String token = taskToken.get("token").asString();
        for (int task = 0; task < 2; task++) {
            String registration = Api.JSON.createObjectNode().put("joinToken", token).put("csr", ProxyKey.generate().csr()).toString();
            Api.Response registered = fleet.post("/v1/fleet/register", null, registration);
            assertThat(registered.status()).isEqualTo(201);
            assertThat(registered.json().get("service").asString()).isEqualTo("echo");
            assertThat(registered.json().get("version").asString()).isEqualTo("v1");
        }
        String stranger = newTenant();
        declareShop(stranger);
        assertThat(api.delete("/v1/meshes/shop/task-tokens/" + taskToken.get("id").asString(), stranger).status()).isEqualTo(404);
        assertThat(api.delete("/v1/meshes/shop/task-tokens/" + taskToken.get("id").asString(), key).status()).isEqualTo(204);
        String registration = Api.JSON.createObjectNode().put("joinToken", token).put("csr", ProxyKey.generate().csr()).toString();
        assertThat(fleet.post("/v1/fleet/register", null, registration).status()).isEqualTo(401);

        ObjectNode plainText = (ObjectNode) Api.JSON.readTree(request);
        plainText.put("credentialSecretArn", "trt_my-token-in-plain-text").put("service", "nope");
        assertThat(api.post("/v1/meshes/shop/injection/ecs", key, plainText.toString()).json().get("violations")).isNotEmpty();
        assertThat(api.post("/v1/meshes/shop/injection/ecs", stranger, request).status()).isEqualTo(200);
        assertThat(api.post("/v1/meshes/nomesh/injection/ecs", key, request).status()).isEqualTo(404);
    }
}
