package dev.trellis.compiler;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Every JSON example in docs/policies.md is a valid document of the kind it shows, so the page cannot drift. */
class PoliciesDocTest {
    private static final Pattern JSON_BLOCK = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL);

    @Test
    void everyExampleIsAValidDocument() throws IOException {
        String page = Files.readString(Path.of("../docs/policies.md"));
        Matcher m = JSON_BLOCK.matcher(page);
        List<String> checked = new ArrayList<>();
        JsonMapper mapper = JsonMapper.builder().build();
        while (m.find()) {
            JsonNode doc = mapper.readTree(m.group(1));
            Parsed<?> parsed;
            if (doc.has("kind")) parsed = Documents.policy(doc);
            else if (doc.has("rules")) parsed = Documents.route(doc);
            else if (doc.has("port")) parsed = Documents.service(doc);
            else parsed = Documents.mesh(doc);
            assertThat(parsed.violations()).as(m.group(1)).isEmpty();
            checked.add(doc.path("kind").asString("document"));
        }
        assertThat(checked).hasSizeGreaterThanOrEqualTo(12).contains("RETRY", "TIMEOUT", "CIRCUIT_BREAKER",
                "OUTLIER_DETECTION", "RATE_LIMIT", "FAULT_INJECTION", "ACCESS", "LOAD_BALANCER");
    }
}
