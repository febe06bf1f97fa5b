package dev.trellis.controlplane.snapshot;

import dev.trellis.compiler.CompileResult;
import dev.trellis.compiler.MeshState;
import dev.trellis.compiler.SimulatedRequest;
import dev.trellis.compiler.SimulationResult;
import dev.trellis.compiler.Simulator;
import dev.trellis.compiler.Warning;
import dev.trellis.controlplane.access.Caller;
import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.mesh.MeshNotFound;
import dev.trellis.controlplane.mesh.MeshResources;
import dev.trellis.controlplane.web.ApiViolation;
import dev.trellis.controlplane.web.JsonBody;
import dev.trellis.controlplane.web.RequestDocument;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.*;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the compiler says about a stored mesh: {@code GET /v1/meshes/{mesh}/analysis} (errors,
 * warnings, snapshot versions) and {@code POST /v1/meshes/{mesh}/simulate} (which rule, backends
 * and policies one request gets). Both read only.
 */
@RestController
@RequestMapping("/v1/meshes/{mesh}")
class AnalysisController {
    /** The longest request path a simulation takes, as long as the proxy accepts in a request line. */
    static final int MAX_PATH = 8 * 1024;
    private final TenantTransactions transactions;
    private final MeshResources resources;
    private final MeshCompilation compilation;

    AnalysisController(TenantTransactions transactions, MeshResources resources, MeshCompilation compilation) {
        this.transactions = transactions;
        this.resources = resources;
        this.compilation = compilation;
    }

    /** @param snapshots service → snapshot version, as compiled now */
    record Analysis(boolean valid, List<ApiViolation> errors, List<Warning> warnings, Map<String, String> snapshots) {
    }

    @GetMapping("/analysis")
    Analysis analysis(@AuthenticationPrincipal Caller caller, @PathVariable String mesh) {
        CompileResult result = inMesh(caller, mesh, () -> compilation.compile(caller.tenantId(), mesh));
        Map<String, String> versions = new LinkedHashMap<>();
        result.snapshots().forEach((service, snapshot) -> versions.put(service, snapshot.version()));
        return new Analysis(result.ok(), result.errors().stream().map(MeshCompilation::violation).toList(),
                result.warnings(), versions);
    }

    @PostMapping("/simulate")
    SimulationResult simulate(@AuthenticationPrincipal Caller caller, @PathVariable String mesh,
                              @RequestBody(required = false) byte[] body) {
        JsonNode json = JsonBody.object(body);
        RequestDocument document = new RequestDocument(json, Set.of("source", "host", "method", "path", "headers", "query"));
        String source = document.text("source");
        String host = document.text("host");
        String method = document.optionalText("method").orElse("GET");
        String path = document.optionalText("path", MAX_PATH).orElse("/");
        if (!path.startsWith("/")) document.violation("path", "must start with /");
        Map<String, String> headers = stringMap(document, json.get("headers"), "headers");
        Map<String, String> query = stringMap(document, json.get("query"), "query");
        document.check();
        MeshState state = inMesh(caller, mesh, () -> compilation.state(caller.tenantId(), mesh));
        return Simulator.simulate(state, new SimulatedRequest(source, host, method, path, headers, query));
    }

    private <T> T inMesh(Caller caller, String mesh, Supplier<T> work) {
        return transactions.inTenant(caller.tenantId(), () -> {
            if (!resources.meshExists(caller.tenantId(), mesh)) throw new MeshNotFound(mesh);
            return work.get();
        });
    }

    private static Map<String, String> stringMap(RequestDocument document, JsonNode node, String field) {
        Map<String, String> map = new LinkedHashMap<>();
        if (node == null || node.isNull()) return map;
        if (!node.isObject()) {
            document.violation(field, "must be an object of strings");
            return map;
        }
        node.properties().forEach(entry -> {
            if (!entry.getValue().isString()) document.violation(field + "." + entry.getKey(), "must be a string");
            else if (entry.getValue().asString().length() > MAX_PATH) {
                document.violation(field + "." + entry.getKey(), "must be at most " + MAX_PATH + " characters");
            } else map.put(entry.getKey(), entry.getValue().asString());
        });
        return map;
    }
}
