package dev.trellis.terraform.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.terraform.resource.Catalog;
import java.util.List;
import org.junit.jupiter.api.Test;

class ViolationPathsTest {

    private final Catalog catalog = Catalog.trellis();

    private List<Object> path(String type, String jsonPath) {
        return ViolationPaths.toTerraform(catalog.resource(type).schema(), jsonPath);
    }

    @Test
    void nestedArraysBecomeBlockIndexes() {
        assertThat(path("trellis_route", "rules[0].backends[1].weight")).containsExactly("rule", 0, "backend", 1, "weight");
        assertThat(path("trellis_route", "rules[2].match.headers[0].exact"))
                .containsExactly("rule", 2, "match", 0, "header", 0, "exact");
    }

    @Test
    void flattenedFieldsFindTheirAttribute() {
        assertThat(path("trellis_policy", "target.service")).containsExactly("target_service");
        assertThat(path("trellis_service", "loadBalancer.algorithm")).containsExactly("load_balancer");
        assertThat(path("trellis_route", "rules[0].retry.backoff.max")).containsExactly("rule", 0, "retry", 0, "backoff_max");
    }

    @Test
    void aPathInsideAJsonAttributeLandsOnThatAttribute() {
        assertThat(path("trellis_policy", "spec.allow[0].from.service")).containsExactly("spec");
    }

    @Test
    void aBlockWithoutIndexOrAnUnknownFieldStopsWhereItCan() {
        assertThat(path("trellis_route", "rules[0].backends")).containsExactly("rule", 0, "backend");
        assertThat(path("trellis_route", "")).isEmpty();
        assertThat(path("trellis_route", "nonsense[3]")).isEmpty();
    }
}
