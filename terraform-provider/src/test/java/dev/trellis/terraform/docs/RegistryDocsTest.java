package dev.trellis.terraform.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.terraform.resource.Catalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The pages under {@code docs/} are what {@link RegistryDocs} renders from the live schemas.
 * After a schema change, regenerate them with {@code -Dtrellis.updateDocs=true} and review the diff.
 */
class RegistryDocsTest {

    private static final Path DOCS = Path.of("docs");
    private static final Path EXAMPLES = Path.of("examples");

    @Test
    void everyResourceAndDataSourceHasAnUpToDatePage() throws IOException {
        Catalog catalog = Catalog.trellis();
        Map<Path, String> pages = new LinkedHashMap<>();
        for (var resource : catalog.resources().values()) {
            Path examples = EXAMPLES.resolve("resources").resolve(resource.typeName());
            pages.put(DOCS.resolve("resources").resolve(shortName(resource.typeName()) + ".md"),
                    RegistryDocs.page(resource.typeName(), "Resource", resource.schema(),
                            examples.resolve("resource.tf"), examples.resolve("import.sh")));
        }
        for (var dataSource : catalog.dataSources().values()) {
            Path examples = EXAMPLES.resolve("data-sources").resolve(dataSource.typeName());
            pages.put(DOCS.resolve("data-sources").resolve(shortName(dataSource.typeName()) + ".md"),
                    RegistryDocs.page(dataSource.typeName(), "Data Source", dataSource.schema(),
                            examples.resolve("data-source.tf"), null));
        }
        if (Boolean.getBoolean("trellis.updateDocs")) {
            for (Map.Entry<Path, String> page : pages.entrySet()) {
                Files.createDirectories(page.getKey().getParent());
                Files.writeString(page.getKey(), page.getValue());
            }
        }
        for (Map.Entry<Path, String> page : pages.entrySet()) {
            assertThat(page.getKey()).as("regenerate with -Dtrellis.updateDocs=true").exists();
            assertThat(Files.readString(page.getKey())).as(page.getKey() + " is stale; regenerate with -Dtrellis.updateDocs=true")
                    .isEqualTo(page.getValue());
        }
    }

    private static String shortName(String typeName) {
        return typeName.substring("trellis_".length());
    }
}
