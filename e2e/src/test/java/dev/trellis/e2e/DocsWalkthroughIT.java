package dev.trellis.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The docs check: every shell block of docs/api.md runs, in order and in one bash, with the real
 * curl and jq against a real control plane started as the first block says (its operator key).
 * A block followed by a json block must print exactly that; no call may answer 401, 404 or 5xx,
 * and only the two mistakes the doc makes on purpose may answer 400 and 412. So the walkthrough
 * fails here the day it drifts from the API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DocsWalkthroughIT {
    private static final Path DOC = Launched.ROOT.resolve("docs/api.md");
    private static final Pattern FENCE = Pattern.compile("```(\\w+)\\n(.*?)```", Pattern.DOTALL);
    private static final String STATUS = "TRELLIS-DOCS-STATUS ";
    private static final String BLOCK = "TRELLIS-DOCS-BLOCK ";

    private final int port = Launched.freePort();
    private Launched controlPlane;
    private List<Block> blocks;

    /** A shell block and, when the doc shows one right after it, the JSON it prints. */
    record Block(String script, String expectedJson) {
    }

    @BeforeAll
    void start() throws Exception {
        blocks = blocks(Files.readString(DOC));
        String startBlock = blocks.getFirst().script();
        assertThat(startBlock).as("docs/api.md starts the control plane first").contains("bin/trellis up");
        Matcher operatorKey = Pattern.compile("export TRELLIS_OPERATOR_KEY=(\\S+)").matcher(startBlock);
        assertThat(operatorKey.find()).as("the first block sets the operator key the doc uses").isTrue();
        Path home = Files.createDirectories(Launched.ROOT.resolve("e2e/target/docs-home-" + port));
        // As the first block does (bin/trellis up = the jar with the demo tenant), on a free port.
        controlPlane = Launched.start("docs-control-plane", ShopMesh.CONTROL_PLANE_JAR, Map.of(
                        "TRELLIS_HOME", home.toString(), "TRELLIS_OPERATOR_KEY", operatorKey.group(1)),
                "--server.port=" + port, "--trellis.demo=true");
        controlPlane.awaitStatus("http://127.0.0.1:" + port + "/v1/tenant", 401, Duration.ofSeconds(90));
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (controlPlane != null) controlPlane.close();
    }

    @Test
    void everyShellBlockOfTheApiWalkthroughRunsAsWritten() throws Exception {
        Path work = Files.createDirectories(Launched.ROOT.resolve("e2e/target/docs-work-" + port));
        StringBuilder script = new StringBuilder("set -euo pipefail\n");
        // The first block as written, except the command that starts the server (already running).
        blocks.getFirst().script().lines().filter(line -> !line.contains("bin/trellis up"))
                .forEach(line -> script.append(line).append('\n'));
        for (int i = 1; i < blocks.size(); i++) {
            // On a line of its own: curl's answers end without a newline.
            script.append("printf '\\n").append(BLOCK).append(i).append("\\n'\n")
                    .append(blocks.get(i).script().replace("http://localhost:8080", "http://127.0.0.1:" + port))
                    .append('\n');
        }
        Result run = bash(work, script.toString());

        assertThat(run.exitCode()).as("bash exit code; stderr:\n" + run.stderr()).isZero();
        List<String> statuses = run.stderr().lines().filter(l -> l.startsWith(STATUS)).map(l -> l.substring(STATUS.length())).toList();
        assertThat(statuses).as("every curl of the doc reached the API").hasSizeGreaterThan(10)
                .noneMatch(s -> s.equals("401") || s.equals("403") || s.equals("404") || s.equals("415") || s.startsWith("5"));
        // The doc's two deliberate mistakes: a broken route (400) and a stale If-Match (412, printed by the doc's own -w).
        assertThat(statuses.stream().filter("400"::equals).count()).as(statuses.toString()).isEqualTo(1);
        assertThat(run.stdout()).contains("\n412\n");

        List<String> outputs = outputsByBlock(run.stdout());
        for (int i = 1; i < blocks.size(); i++) {
            String expected = blocks.get(i).expectedJson();
            if (expected == null) continue;
            assertThat(jsonValues(outputs.get(i))).as("output of block " + i + ":\n" + blocks.get(i).script())
                    .isEqualTo(jsonValues(expected));
        }
    }

    static List<Block> blocks(String markdown) {
        List<Block> found = new ArrayList<>();
        Matcher fence = FENCE.matcher(markdown);
        List<String[]> fences = new ArrayList<>();
        while (fence.find()) fences.add(new String[]{fence.group(1), fence.group(2), Integer.toString(fence.start()),
                Integer.toString(fence.end())});
        for (int i = 0; i < fences.size(); i++) {
            if (!fences.get(i)[0].equals("sh")) continue;
            String expected = null;
            if (i + 1 < fences.size() && fences.get(i + 1)[0].equals("json")
                    && markdown.substring(Integer.parseInt(fences.get(i)[3]), Integer.parseInt(fences.get(i + 1)[2])).isBlank()) {
                expected = fences.get(i + 1)[1];
            }
            found.add(new Block(fences.get(i)[1], expected));
        }
        return found;
    }

    private static List<String> outputsByBlock(String stdout) {
        List<String> outputs = new ArrayList<>(List.of(""));
        StringBuilder current = null;
        for (String line : stdout.split("\n", -1)) {
            if (line.startsWith(BLOCK)) {
                if (current != null) outputs.add(current.toString());
                current = new StringBuilder();
            } else if (current != null) {
                current.append(line).append('\n');
            }
        }
        if (current != null) outputs.add(current.toString());
        return outputs;
    }

    /** The JSON values a text holds one after another, with numbers compared by value (90 = 90.0). */
    private static List<JsonNode> jsonValues(String text) {
        List<JsonNode> values = new ArrayList<>();
        try (var parser = ControlPlaneApi.JSON.createParser(text)) {
            var iterator = ControlPlaneApi.JSON.readValues(parser, JsonNode.class);
            while (iterator.hasNext()) values.add(normalised(iterator.next()));
        }
        return values;
    }

    private static JsonNode normalised(JsonNode node) {
        if (node.isNumber()) return JsonNodeFactory.instance.numberNode(node.decimalValue().stripTrailingZeros());
        if (node.isObject()) {
            var copy = JsonNodeFactory.instance.objectNode();
            node.properties().forEach(e -> copy.set(e.getKey(), normalised(e.getValue())));
            return copy;
        }
        if (node.isArray()) {
            var copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> copy.add(normalised(element)));
            return copy;
        }
        return node;
    }

    record Result(int exitCode, String stdout, String stderr) {
    }

    /**
     * Runs the script with the real curl behind a wrapper that reports each answer's status on
     * stderr ({@code -w %{stderr}…}), so the doc's own output on stdout is untouched.
     */
    private static Result bash(Path work, String script) throws IOException, InterruptedException {
        Path realCurl = which("curl");
        which("jq");
        Path bin = Files.createDirectories(work.resolve("bin"));
        Path wrapper = bin.resolve("curl");
        Files.writeString(wrapper, "#!/usr/bin/env bash\nexec " + realCurl + " --max-time 30 -w '%{stderr}" + STATUS
                + "%{http_code}\\n' \"$@\"\n");
        assertThat(wrapper.toFile().setExecutable(true)).isTrue();
        Path stdout = work.resolve("stdout.txt");
        Path stderr = work.resolve("stderr.txt");
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script).directory(work.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().remove("TRELLIS_OPERATOR_KEY");
        Process process = builder.start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the doc's shell blocks did not finish within 3 minutes");
        }
        return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }

    private static Path which(String tool) {
        for (String dir : System.getenv("PATH").split(":")) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) return candidate;
        }
        throw new AssertionError(tool + " is not on the PATH; the docs check needs it (.ci/run installs it)");
    }
}
