package dev.trellis.terraform;

import dev.trellis.terraform.api.TrellisApi;
import dev.trellis.terraform.resource.Diagnostics;
import dev.trellis.terraform.resource.ManagedResource;
import dev.trellis.terraform.resource.ResourceValues;
import dev.trellis.terraform.value.Unknown;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PlanResourceChange: the planned new state is exactly the configuration (so the diff Terraform
 * shows is exact), computed attributes are "known after apply" only when a write will change
 * them, and a planned write is dry-run against the API so its violations show at plan time.
 */
final class Planner {

    record Plan(Map<String, Object> planned, List<String> requiresReplace, Diagnostics diagnostics) {
    }

    private final ProviderConfiguration configuration;

    Planner(ProviderConfiguration configuration) {
        this.configuration = configuration;
    }

    Plan plan(ManagedResource resource, Map<String, Object> prior, Map<String, Object> proposed,
              Map<String, Object> config) {
        if (proposed == null) {
            return new Plan(null, List.of(), new Diagnostics());
        }
        if (prior == null) {
            return new Plan(ResourceValues.unknownComputed(resource.schema(), proposed), List.of(),
                    dryRun(resource, null, proposed, config));
        }
        List<String> replace = new ArrayList<>();
        for (String name : resource.replaceOn()) {
            if (!ResourceValues.same(prior.get(name), proposed.get(name))) {
                replace.add(name);
            }
        }
        if (!replace.isEmpty()) {
            Map<String, Object> fresh = new LinkedHashMap<>(proposed);
            resource.schema().attributes().stream().filter(a -> !a.configurable()).forEach(a -> fresh.put(a.name(), null));
            return new Plan(ResourceValues.unknownComputed(resource.schema(), fresh), replace, new Diagnostics());
        }
        if (ResourceValues.same(prior, proposed)) {
            return new Plan(proposed, List.of(), new Diagnostics());
        }
        Map<String, Object> planned = new LinkedHashMap<>(proposed);
        resource.changeOnWrite().forEach(name -> planned.put(name, Unknown.VALUE));
        return new Plan(planned, List.of(), dryRun(resource, prior, proposed, config));
    }

    private Diagnostics dryRun(ManagedResource resource, Map<String, Object> prior, Map<String, Object> proposed,
                               Map<String, Object> config) {
        TrellisApi api = configuration.apiIfConfigured();
        if (api == null || ResourceValues.hasUnknown(config)) {
            return new Diagnostics();
        }
        return resource.dryRun(api, prior, proposed);
    }
}
