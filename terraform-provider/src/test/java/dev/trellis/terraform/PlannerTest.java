package dev.trellis.terraform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.terraform.resource.Catalog;
import dev.trellis.terraform.resource.ManagedResource;
import dev.trellis.terraform.value.Unknown;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlannerTest {

    private final ManagedResource service = Catalog.trellis().resource("trellis_service");
    private final Planner planner = new Planner(new ProviderConfiguration(name -> null));

    private Map<String, Object> stored() {
        Map<String, Object> state = new LinkedHashMap<>();
        service.schema().attributes().forEach(a -> state.put(a.name(), null));
        service.schema().blocks().forEach(b -> state.put(b.name(), List.of()));
        state.putAll(Map.of("id", "shop/echo", "mesh", "shop", "name", "echo", "port", new BigDecimal(8080),
                "resource_version", "3", "created_at", "t0", "updated_at", "t1"));
        return state;
    }

    @Test
    void creationLeavesOnlyComputedAttributesUnknown() {
        Map<String, Object> config = stored();
        List.of("id", "resource_version", "created_at", "updated_at").forEach(name -> config.put(name, null));

        Planner.Plan plan = planner.plan(service, null, config, config);

        assertThat(plan.planned()).containsEntry("id", Unknown.VALUE).containsEntry("resource_version", Unknown.VALUE)
                .containsEntry("port", new BigDecimal(8080)).containsEntry("protocol", null);
        assertThat(plan.requiresReplace()).isEmpty();
    }

    @Test
    void anUnchangedObjectPlansNoChangeAtAll() {
        Map<String, Object> proposed = stored();
        proposed.put("port", new BigDecimal("8080.0"));

        assertThat(planner.plan(service, stored(), proposed, proposed).planned()).isEqualTo(proposed);
    }

    @Test
    void anUpdateMakesTheVersionUnknownAndKeepsTheRest() {
        Map<String, Object> proposed = stored();
        proposed.put("port", new BigDecimal(9090));

        Planner.Plan plan = planner.plan(service, stored(), proposed, proposed);

        assertThat(plan.planned()).containsEntry("port", new BigDecimal(9090)).containsEntry("id", "shop/echo")
                .containsEntry("created_at", "t0").containsEntry("resource_version", Unknown.VALUE)
                .containsEntry("updated_at", Unknown.VALUE);
        assertThat(plan.requiresReplace()).isEmpty();
    }

    @Test
    void aRenameReplacesTheObject() {
        Map<String, Object> proposed = stored();
        proposed.put("name", "echo2");

        Planner.Plan plan = planner.plan(service, stored(), proposed, proposed);

        assertThat(plan.requiresReplace()).containsExactly("name");
        assertThat(plan.planned()).containsEntry("id", Unknown.VALUE).containsEntry("name", "echo2");
    }

    @Test
    void destroyPlansNull() {
        assertThat(planner.plan(service, stored(), null, null).planned()).isNull();
    }
}
