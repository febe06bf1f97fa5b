package dev.trellis.terraform;

import dev.trellis.terraform.api.TrellisApi;
import dev.trellis.terraform.resource.Diagnostics;
import dev.trellis.terraform.resource.ProviderFailure;
import dev.trellis.terraform.schema.Attribute;
import dev.trellis.terraform.schema.Block;
import dev.trellis.terraform.value.TfType;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The provider block ({@code endpoint}, {@code api_key}, or their environment variables) and the client it yields. */
final class ProviderConfiguration {

    static final Block SCHEMA = Block.of("The Trellis control plane and the tenant API key Terraform acts with.", List.of(
            Attribute.optional("endpoint", TfType.STRING,
                    "Base URL of the Trellis API, e.g. `http://localhost:8080`. Defaults to `TRELLIS_ENDPOINT`."),
            Attribute.optional("api_key", TfType.STRING,
                    "A tenant API key. Defaults to `TRELLIS_API_KEY`.").secret()));

    private final UnaryOperator<String> environment;
    private volatile TrellisApi api;

    ProviderConfiguration(UnaryOperator<String> environment) {
        this.environment = environment;
    }

    Diagnostics configure(Map<String, Object> config) {
        Diagnostics diagnostics = new Diagnostics();
        String endpoint = setting(config, "endpoint", "TRELLIS_ENDPOINT");
        String apiKey = setting(config, "api_key", "TRELLIS_API_KEY");
        if (endpoint == null) {
            diagnostics.error("Missing Trellis endpoint", "Set `endpoint` in the provider block or TRELLIS_ENDPOINT.",
                    List.of("endpoint"));
        }
        if (apiKey == null) {
            diagnostics.error("Missing Trellis API key", "Set `api_key` in the provider block or TRELLIS_API_KEY.",
                    List.of("api_key"));
        }
        if (diagnostics.hasErrors()) {
            return diagnostics;
        }
        try {
            URI uri = URI.create(endpoint);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
            api = new TrellisApi(uri, apiKey);
        } catch (IllegalArgumentException e) {
            diagnostics.error("Invalid Trellis endpoint", "`" + endpoint + "` is not an http(s) URL.", List.of("endpoint"));
        }
        return diagnostics;
    }

    /** The configured client, or null before ConfigureProvider (e.g. during validate). */
    TrellisApi apiIfConfigured() {
        return api;
    }

    TrellisApi api() {
        if (api == null) {
            throw new ProviderFailure("Provider not configured", "Terraform has not configured the Trellis provider.");
        }
        return api;
    }

    private String setting(Map<String, Object> config, String attribute, String variable) {
        Object value = config == null ? null : config.get(attribute);
        if (value instanceof String s && !s.isBlank()) {
            return s;
        }
        String fromEnvironment = environment.apply(variable);
        return fromEnvironment == null || fromEnvironment.isBlank() ? null : fromEnvironment;
    }
}
