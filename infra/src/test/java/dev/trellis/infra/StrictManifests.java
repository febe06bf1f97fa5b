package dev.trellis.infra;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

import java.util.List;
import java.util.Map;

/**
 * Reads rendered Kubernetes objects into fabric8's model and refuses any field the model does not
 * know. fabric8's classes keep unknown fields in {@code additionalProperties} (an any-setter), so
 * this mapper removes every any-setter: a misspelt or misplaced field is an error, as in
 * {@code kubectl apply --validate=strict}. The two custom resources, which fabric8 does not model,
 * are read into records of the fields their CRDs define that these modules use.
 */
final class StrictManifests {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .addModule(new SimpleModule().setDeserializerModifier(new BeanDeserializerModifier() {
                @Override
                public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription description,
                                                             BeanDeserializerBuilder builder) {
                    builder.setAnySetter(null);
                    builder.setIgnoreUnknownProperties(false);
                    return builder;
                }
            }))
            .build();

    /** apiVersion/kind → the class that models it. Anything else is refused. */
    static final Map<String, Class<?>> KINDS = Map.of(
            "v1/ServiceAccount", ServiceAccount.class,
            "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "external-secrets.io/v1/ExternalSecret", ExternalSecret.class,
            "elbv2.k8s.aws/v1beta1/TargetGroupBinding", TargetGroupBinding.class);

    private StrictManifests() {
    }

    static Object parse(String json) throws java.io.IOException {
        JsonNode tree = MAPPER.readTree(json);
        String type = tree.path("apiVersion").asText() + "/" + tree.path("kind").asText();
        Class<?> model = KINDS.get(type);
        if (model == null) throw new IllegalArgumentException("no model for " + type);
        return MAPPER.readValue(json, model);
    }

    record Metadata(String name, String namespace, Map<String, String> labels) {
    }

    /** external-secrets.io/v1 ExternalSecret, the fields these modules write. */
    record ExternalSecret(String apiVersion, String kind, Metadata metadata, Spec spec) {
        record Spec(String refreshInterval, StoreRef secretStoreRef, Target target, List<Data> data) {
        }

        record StoreRef(String name, String kind) {
        }

        record Target(String name, String creationPolicy) {
        }

        record Data(String secretKey, RemoteRef remoteRef) {
        }

        record RemoteRef(String key, String property) {
        }
    }

    /** elbv2.k8s.aws/v1beta1 TargetGroupBinding (AWS Load Balancer Controller), the fields these modules write. */
    record TargetGroupBinding(String apiVersion, String kind, Metadata metadata, Spec spec) {
        record Spec(ServiceRef serviceRef, String targetGroupARN, String targetType) {
        }

        record ServiceRef(String name, int port) {
        }
    }
}
