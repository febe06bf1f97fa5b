package dev.trellis.controlplane.injection;

import dev.trellis.compiler.Documents;
import dev.trellis.compiler.ServiceSpec;
import dev.trellis.controlplane.access.MintedCredential;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.fleet.JoinTokens;
import dev.trellis.controlplane.mesh.MeshResources;
import dev.trellis.controlplane.mesh.ResourceKind;
import dev.trellis.controlplane.mesh.ResourceNotFound;
import dev.trellis.controlplane.mesh.StoredResource;
import dev.trellis.controlplane.web.InvalidRequest;
import dev.trellis.controlplane.web.JsonBody;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The hosted mutating webhook: {@code POST /v1/injection/kubernetes/{secret}} takes an AdmissionReview
 * v1 from a cluster's API server and answers it with the same {@code uid}, {@code allowed: true} and,
 * for a pod to inject, a base64 JSON Patch. A pod is always admitted: a skipped pod gets its reason as
 * a warning, and every outcome is counted on the injector. A dry run mints no token and counts nothing.
 */
@RestController
class AdmissionController {
    static final String PATH = "/v1/injection/kubernetes/";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final TenantTransactions transactions;
    private final InjectorSecrets secrets;
    private final InjectorOutcomes outcomes;
    private final MeshResources resources;
    private final JoinTokens joinTokens;
    private final InjectionSettings settings;

    AdmissionController(TenantTransactions transactions, InjectorSecrets secrets, InjectorOutcomes outcomes,
                        MeshResources resources, JoinTokens joinTokens, InjectionSettings settings) {
        this.transactions = transactions;
        this.secrets = secrets;
        this.outcomes = outcomes;
        this.resources = resources;
        this.joinTokens = joinTokens;
        this.settings = settings;
    }

    @PostMapping(PATH + "{secret}")
    ObjectNode review(@PathVariable String secret, @RequestBody(required = false) byte[] body) {
        JsonNode request = JsonBody.object(body).path("request");
        String uid = request.path("uid").asString("");
        if (uid.isEmpty()) throw InvalidRequest.of("request.uid", "is required: the body must be an AdmissionReview v1");
        String secretId = MintedCredential.idOf(InjectorSecrets.KIND, secret).orElseThrow(AdmissionController::unknown);
        String controlPlane = settings.publicUrl(ServletUriComponentsBuilder.fromCurrentContextPath().replacePath(null).toUriString());
        return transactions.withSetting("trellis.injector_secret_id", secretId, () -> {
            InjectorSecrets.Owner owner = secrets.owner(secret).orElseThrow(AdmissionController::unknown);
            return transactions.inTenant(owner.tenantId(), () -> answer(uid, admit(owner, request, controlPlane)));
        });
    }

    /** The patch for an injected pod, or the reason a pod was left alone. */
    private record Admission(Optional<String> patch, Optional<Skip> skip) {
    }

    private Admission admit(InjectorSecrets.Owner owner, JsonNode request, String controlPlane) {
        StoredResource injector = resources.find(owner.tenantId(), ResourceKind.INJECTOR, owner.mesh(), owner.injector())
                .orElseThrow(AdmissionController::unknown);
        boolean dryRun = request.path("dryRun").asBoolean(false);
        JsonNode pod = request.path("object");
        Admission admission = decide(owner, InjectorSpec.parse(injector.document()), request, pod, controlPlane, dryRun);
        if (!dryRun) {
            String outcome = admission.skip().map(Skip::reason).orElse(InjectorOutcomes.INJECTED);
            outcomes.count(owner.tenantId(), owner.mesh(), owner.injector(), outcome, request.path("namespace").asString(""),
                    PodInjection.podName(pod), TenantTransactions.now());
        }
        return admission;
    }

    private Admission decide(InjectorSecrets.Owner owner, InjectorSpec spec, JsonNode request, JsonNode pod,
                             String controlPlane, boolean dryRun) {
        if (!"Pod".equals(request.path("kind").path("kind").asString("")) || !"CREATE".equals(request.path("operation").asString(""))) {
            return skipped(new Skip(Skip.NOT_A_POD_CREATE, "the webhook injects pods when they are created, nothing else"));
        }
        Optional<Skip> skip = PodInjection.skip(pod);
        if (skip.isPresent()) return skipped(skip.get());
        Optional<PodInjection.Workload> workload = PodInjection.workload(pod);
        if (workload.isEmpty()) {
            return skipped(new Skip(Skip.NO_SERVICE_LABEL, "label the pod " + PodInjection.SERVICE_LABEL
                    + " (or app.kubernetes.io/name) with its mesh service"));
        }
        String service = workload.get().service();
        String version = workload.get().version();
        Optional<ServiceSpec> declared = resources.find(owner.tenantId(), ResourceKind.SERVICE, owner.mesh(), service)
                .map(r -> (ServiceSpec) Documents.service(r.document()).value());
        if (declared.isEmpty()) {
            return skipped(new Skip(Skip.UNKNOWN_SERVICE, "mesh " + owner.mesh() + " has no service " + service));
        }
        if (version != null && !declared.get().hasVersion(version)) {
            return skipped(new Skip(Skip.UNKNOWN_VERSION, "service " + service + " has no version " + version));
        }
        String token = null;
        if (!dryRun) {
            Instant now = TenantTransactions.now();
            token = joinTokens.mint(owner.tenantId(), owner.mesh(), service, version, "injector:" + owner.injector(),
                    now, now.plus(settings.joinTokenTtl())).token();
        }
        PodInjection.Plan plan = new PodInjection.Plan(owner.injector(), owner.mesh(), workload.get(), declared.get().port(),
                spec, controlPlane, token, settings);
        return new Admission(Optional.of(PodInjection.patch(pod, plan).toString()), Optional.empty());
    }

    private static Admission skipped(Skip skip) {
        return new Admission(Optional.empty(), Optional.of(skip));
    }

    private static ObjectNode answer(String uid, Admission admission) {
        ObjectNode review = NODES.objectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode response = review.putObject("response").put("uid", uid).put("allowed", true);
        admission.patch().ifPresent(patch -> response.put("patchType", "JSONPatch")
                .put("patch", Base64.getEncoder().encodeToString(patch.getBytes(StandardCharsets.UTF_8))));
        admission.skip().ifPresent(skip -> response.putArray("warnings").add(skip.warning()));
        return review;
    }

    private static ResourceNotFound unknown() {
        return new ResourceNotFound("injector for this webhook URL (deleted, or its secret was rotated)");
    }
}
