package dev.trellis.controlplane.injection;

import dev.trellis.compiler.Documents;
import dev.trellis.compiler.ServiceSpec;
import dev.trellis.controlplane.access.Caller;
import dev.trellis.controlplane.access.Role;
import dev.trellis.controlplane.audit.AuditLog;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.fleet.TaskTokens;
import dev.trellis.controlplane.mesh.MeshNotFound;
import dev.trellis.controlplane.mesh.MeshResources;
import dev.trellis.controlplane.mesh.ResourceKind;
import dev.trellis.controlplane.web.InvalidRequest;
import dev.trellis.controlplane.web.JsonBody;
import dev.trellis.controlplane.web.RequestDocument;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.*;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code POST /v1/meshes/{mesh}/injection/ecs}: {@code {"service", "version", "credentialSecretArn",
 * "taskDefinition"}} in, {@code {"taskDefinition"}} with the proxy out (see {@link EcsInjection}).
 * With {@code ?taskToken=true} it also mints the reusable task token to store in that secret.
 */
@RestController
class EcsInjectionController {
    /** A Secrets Manager secret or an SSM parameter: what ECS's {@code secrets.valueFrom} accepts. */
    private static final Pattern SECRET_ARN = Pattern.compile("arn:aws[a-z-]*:(secretsmanager|ssm):[a-z0-9-]+:\\d{12}:\\S+");

    private final TenantTransactions transactions;
    private final MeshResources resources;
    private final TaskTokens taskTokens;
    private final InjectionSettings settings;
    private final AuditLog audit;

    EcsInjectionController(TenantTransactions transactions, MeshResources resources, TaskTokens taskTokens,
                           InjectionSettings settings, AuditLog audit) {
        this.transactions = transactions;
        this.resources = resources;
        this.taskTokens = taskTokens;
        this.settings = settings;
        this.audit = audit;
    }

    @PostMapping("/v1/meshes/{mesh}/injection/ecs")
    ObjectNode inject(@AuthenticationPrincipal Caller caller, @PathVariable String mesh,
                      @RequestParam(defaultValue = "false") boolean taskToken, @RequestBody(required = false) byte[] body) {
        caller.require(Role.EDITOR);
        JsonNode sent = JsonBody.object(body);
        RequestDocument document = new RequestDocument(sent, Set.of("service", "version", "credentialSecretArn", "taskDefinition"));
        String service = document.text("service");
        String version = document.optionalText("version").orElse(null);
        String arn = document.text("credentialSecretArn");
        if (arn != null && !SECRET_ARN.matcher(arn).matches()) {
            document.violation("credentialSecretArn", "must be the ARN of a Secrets Manager secret or an SSM parameter");
        }
        if (!sent.path("taskDefinition").isObject()) document.violation("taskDefinition", "must be a task definition object");
        document.check();
        String controlPlane = settings.publicUrl(ServletUriComponentsBuilder.fromCurrentContextPath().replacePath(null).toUriString());
        return transactions.inTenant(caller.tenantId(), () -> {
            if (!resources.meshExists(caller.tenantId(), mesh)) throw new MeshNotFound(mesh);
            ServiceSpec spec = resources.find(caller.tenantId(), ResourceKind.SERVICE, mesh, service)
                    .map(r -> (ServiceSpec) Documents.service(r.document()).value())
                    .orElseThrow(() -> InvalidRequest.of("service", "no service " + service + " in mesh " + mesh));
            if (version != null && !spec.hasVersion(version)) {
                throw InvalidRequest.of("version", "service " + service + " has no version " + version);
            }
            ObjectNode answer = JsonNodeFactory.instance.objectNode();
            answer.set("taskDefinition", EcsInjection.inject(sent.get("taskDefinition"),
                    new EcsInjection.Plan(mesh, service, version, spec.port(), arn, controlPlane, settings)));
            if (taskToken) {
                TaskTokens.Minted minted = taskTokens.mint(caller.tenantId(), mesh, service, version, caller.subject(),
                        TenantTransactions.now());
                answer.putObject("taskToken").put("id", minted.id()).put("token", minted.token())
                        .put("mesh", mesh).put("service", service).put("version", version);
                audit.record(caller, "task-token.create", "meshes/" + mesh + "/task-tokens/" + minted.id(), null,
                        JsonNodeFactory.instance.objectNode().put("service", service).put("version", version));
            }
            return answer;
        });
    }
}
