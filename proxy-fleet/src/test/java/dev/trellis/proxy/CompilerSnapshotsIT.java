package dev.trellis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.trellis.proxy.snapshot.SnapshotApplier;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The contract with the compiler: every snapshot in the compiler's golden files (what the control
 * plane serves byte for byte) is accepted and enforceable by the proxy.
 */
class CompilerSnapshotsIT {
    static final Path GOLDEN = Path.of("..", "config-compiler", "src", "test", "resources");

    @Test
    void acceptsEverySnapshotTheCompilerProduces() throws IOException {
        SnapshotApplier applier = SharedProxy.get().proxy.applier();
        JsonMapper json = JsonMapper.builder().build();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(GOLDEN)) {
            files = walk.filter(p -> p.toString().endsWith(".golden.json")).toList();
        }
        int applied = 0;
        for (Path file : files) {
            JsonNode snapshots = json.readTree(file.toFile()).path("snapshots");
            for (Map.Entry<String, JsonNode> entry : snapshots.properties()) {
                SnapshotApplier.Outcome outcome = applier.apply(json.writeValueAsBytes(entry.getValue()), file.getFileName().toString());
                assertThat(outcome.applied()).as("%s of %s: %s", entry.getKey(), file, outcome.reason()).isTrue();
                applied++;
            }
        }
        assertThat(applied).isPositive();
    }
}
