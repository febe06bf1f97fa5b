package dev.trellis.controlplane.mesh;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PreconditionsTest {
    private static final Optional<StoredResource> AT_3 = Optional.of(new StoredResource(ResourceKind.ROUTE, "shop", "r",
            JsonNodeFactory.instance.objectNode(), 3, Instant.EPOCH, Instant.EPOCH));

    @Test
    void theCurrentVersionInAnyEtagSpellingPasses() {
        for (String etag : new String[]{"\"3\"", "3", "W/\"3\"", "*", null, ""}) {
            assertThatCode(() -> Preconditions.check("r", etag, AT_3)).as(String.valueOf(etag)).doesNotThrowAnyException();
        }
    }

    @Test
    void anyOtherVersionOrAMissingResourceIsStale() {
        assertThatThrownBy(() -> Preconditions.check("r", "\"2\"", AT_3)).isInstanceOf(StaleResourceVersion.class);
        assertThatThrownBy(() -> Preconditions.check("r", "\"3\"", Optional.empty())).isInstanceOf(StaleResourceVersion.class);
        assertThatThrownBy(() -> Preconditions.check("r", "*", Optional.empty())).isInstanceOf(StaleResourceVersion.class);
    }

    @Test
    void ifNoneMatchStarFailsOnlyWhenTheResourceExists() {
        assertThatThrownBy(() -> Preconditions.checkNoneMatch("r", "*", AT_3)).isInstanceOf(ResourceExists.class);
        assertThatCode(() -> Preconditions.checkNoneMatch("r", "*", Optional.empty())).doesNotThrowAnyException();
        assertThatCode(() -> Preconditions.checkNoneMatch("r", null, AT_3)).doesNotThrowAnyException();
    }

    @Test
    void ifNoneMatchWithEntityTagsFailsWhenOneIsCurrent() {
        assertThatThrownBy(() -> Preconditions.checkNoneMatch("r", "\"1\", W/\"3\"", AT_3)).isInstanceOf(ResourceExists.class);
        assertThatCode(() -> Preconditions.checkNoneMatch("r", "\"1\", \"2\"", AT_3)).doesNotThrowAnyException();
    }
}
