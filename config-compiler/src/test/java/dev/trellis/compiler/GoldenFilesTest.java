package dev.trellis.compiler;

import dev.trellis.compiler.snapshot.Snapshot;
import dev.trellis.compiler.snapshot.SnapshotJson;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A YAML mesh in ({@code *.yaml} under {@code src/test/resources}), its compile result out, compared
 * with the {@code *.golden.json} beside it. Regenerate every golden file with
 * {@code mvn -pl config-compiler test -Dtest=GoldenFilesTest -DupdateGolden=true}
 * (or {@code UPDATE_GOLDEN_FILES=true}) and review the diff.
 */
class GoldenFilesTest {
    private static final Path ROOT = Path.of("src/test/resources");
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final boolean UPDATE = Boolean.getBoolean("updateGolden")
            || "true".equals(System.getenv("UPDATE_GOLDEN_FILES"));

    @TestFactory
    Stream<DynamicTest> compiledMeshesMatchTheirGoldenFiles() throws IOException {
        List<Path> inputs;
        try (Stream<Path> files = Files.walk(ROOT)) {
            inputs = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(inputs).isNotEmpty();
        return inputs.stream().map(input -> DynamicTest.dynamicTest(ROOT.relativize(input).toString(), () -> check(input)));
    }

    private static void check(Path input) throws IOException {
        String actual = JSON.writeValueAsString(render(MeshCompiler.compile(state(YAML.readTree(input.toFile()))))) + "\n";
        Path golden = Path.of(input.toString().replaceFirst("\\.yaml$", ".golden.json"));
        if (UPDATE) Files.writeString(golden, actual);
        assertThat(golden).as("golden file missing: run with -DupdateGolden=true").exists();
        assertThat(actual).isEqualTo(Files.readString(golden));
    }

    /** The mesh as the control plane would build it: every document through {@link Documents}. */
    static MeshState state(JsonNode yaml) {
        Map<String, ServiceSpec> services = new TreeMap<>();
        Map<String, RouteSpec> routes = new TreeMap<>();
        Map<String, PolicySpec> policies = new TreeMap<>();
        yaml.path("services").properties().forEach(e -> services.put(e.getKey(), ok(Documents.service(e.getValue()))));
        yaml.path("routes").properties().forEach(e -> routes.put(e.getKey(), ok(Documents.route(e.getValue()))));
        yaml.path("policies").properties().forEach(e -> policies.put(e.getKey(), ok(Documents.policy(e.getValue()))));
        List<RegisteredEndpoint> endpoints = new ArrayList<>();
        for (JsonNode e : yaml.path("registeredEndpoints")) {
            endpoints.add(new RegisteredEndpoint(e.path("service").asString(), e.path("version").asString(null),
                    e.path("address").asString(), e.path("port").asInt()));
        }
        return new MeshState(yaml.path("tenant").asString("t1"), yaml.path("mesh").asString(),
                ok(Documents.mesh(yaml.path("spec"))), new TreeMap<>(services), new TreeMap<>(routes),
                new TreeMap<>(policies), endpoints);
    }

    private static <T> T ok(Parsed<T> parsed) {
        assertThat(parsed.violations()).as("golden inputs must be valid documents").isEmpty();
        return parsed.value();
    }

    private static ObjectNode render(CompileResult result) {
        ObjectNode out = JSON.createObjectNode();
        out.set("errors", JSON.valueToTree(result.errors()));
        out.set("warnings", JSON.valueToTree(result.warnings()));
        ObjectNode snapshots = out.putObject("snapshots");
        for (Snapshot s : result.snapshots().values()) snapshots.set(s.service(), JSON.readTree(SnapshotJson.write(s)));
        return out;
    }
}
