package dev.trellis.controlplane;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Holds every exchange of the integration tests to {@code openapi/trellis.yaml}: the operation
 * must exist, the status must be documented, the answer's media type and body must match the
 * documented schema (JSON Schema 2020-12, as OpenAPI 3.1 uses), and an accepted request's body
 * must match the request schema. Records which operations were exercised.
 */
final class OpenApiContract {
    static final Path SPEC = Path.of("../openapi/trellis.yaml");
    private static final OpenApiContract INSTANCE = new OpenApiContract();

    private final JsonNode spec;
    private final List<Operation> operations = new ArrayList<>();
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
    private final Set<String> exercised = ConcurrentHashMap.newKeySet();

    record Operation(String method, String template, Pattern pattern, int parameters, JsonNode node) {
        String key() {
            return method + " " + template;
        }
    }

    private OpenApiContract() {
        try {
            spec = YAMLMapper.builder().build().readTree(Files.readString(SPEC));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        spec.get("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            if (!Set.of("get", "put", "post", "delete", "patch").contains(op.getKey())) return;
            String regex = path.getKey().replaceAll("\\{[^/]+}", "[^/]+");
            int parameters = path.getKey().split("\\{", -1).length - 1;
            operations.add(new Operation(op.getKey().toUpperCase(), path.getKey(), Pattern.compile(regex), parameters, op.getValue()));
        }));
    }

    static OpenApiContract instance() {
        return INSTANCE;
    }

    JsonNode spec() {
        return spec;
    }

    List<Operation> operations() {
        return operations;
    }

    Set<String> exercised() {
        return exercised;
    }

    /** The operation a request reaches: literal segments win over templated ones, as in Spring MVC. */
    Optional<Operation> find(String method, String path) {
        String bare = path.split("\\?", 2)[0];
        return operations.stream()
                .filter(o -> o.method().equals(method) && o.pattern().matcher(bare).matches())
                .min(Comparator.comparingInt(Operation::parameters));
    }

    void check(Api.Exchange exchange) {
        Api.Response response = exchange.response();
        Optional<Operation> found = find(exchange.method(), exchange.path());
        if (found.isEmpty()) {
            // Paths outside the contract (unknown URLs in bad-input tests) must still answer a problem.
            if (exchange.path().startsWith("/v1/") && response.status() != 404 && response.status() != 401 && response.status() != 405) {
                throw new AssertionError(exchange.method() + " " + exchange.path() + " is not in the OpenAPI spec");
            }
            return;
        }
        Operation operation = found.get();
        String status = Integer.toString(response.status());
        JsonNode documented = operation.node().path("responses").get(status);
        if (documented == null && response.status() == 400 && response.body().contains("\"instance\":\"/error\"")) {
            // Refused before routing (the HTTP firewall): documented once for every operation, in info.description.
            documented = spec.at("/components/responses/Invalid");
        }
        if (documented == null) {
            throw new AssertionError(operation.key() + " answered " + status + ", which the spec does not document: " + response.body());
        }
        exercised.add(operation.key());
        documented = resolve(documented);
        JsonNode content = documented.get("content");
        if (content == null) {
            if (response.bytes().length > 0) throw new AssertionError(operation.key() + " " + status + " has an undocumented body");
            return;
        }
        String type = Optional.ofNullable(response.header("Content-Type")).orElse("").split(";")[0].strip();
        JsonNode media = content.get(type);
        if (media == null) throw new AssertionError(operation.key() + " " + status + " answered " + type + ", documented " + content.propertyNames());
        // A text answer (the Prometheus exposition) is checked as the string it is.
        JsonNode body = type.startsWith("text/") ? Api.JSON.valueToTree(response.body()) : response.json();
        validate(operation.key() + " " + status + " response", media.get("schema"), body);
        boolean accepted = response.status() >= 200 && response.status() < 300 && !exchange.path().contains("dryRun=true");
        JsonNode requestBody = operation.node().path("requestBody").path("content").path("application/json").get("schema");
        if (accepted && requestBody != null && exchange.requestBody() != null) {
            validate(operation.key() + " request", requestBody, Api.JSON.readTree(exchange.requestBody()));
        }
    }

    private JsonNode resolve(JsonNode node) {
        JsonNode ref = node.get("$ref");
        return ref == null ? node : spec.at(ref.asString().substring(1));
    }

    private void validate(String what, JsonNode schemaNode, JsonNode instance) {
        Schema schema = schemas.computeIfAbsent(schemaNode.toString(), text -> {
            ObjectNode wrapper = ((ObjectNode) schemaNode).deepCopy();
            wrapper.put("$schema", "https://json-schema.org/draft/2020-12/schema");
            wrapper.set("components", spec.get("components"));
            return registry.getSchema(wrapper);
        });
        List<Error> errors = schema.validate(instance);
        if (!errors.isEmpty()) throw new AssertionError(what + " does not match the spec: " + errors + "\n" + instance);
    }
}
