package dev.trellis.terraform.resource;

import static dev.trellis.terraform.schema.Attribute.optional;
import static dev.trellis.terraform.schema.Attribute.required;

import dev.trellis.terraform.schema.Attribute;
import dev.trellis.terraform.schema.Block;
import dev.trellis.terraform.schema.NestedBlock;
import dev.trellis.terraform.value.TfType;
import java.util.List;

/** The schemas of the mesh, service, route and policy resources: the API documents of openapi/trellis.yaml. */
final class MeshResources {

    private static final TfType STRINGS = TfType.listOf(TfType.STRING);

    private MeshResources() {
    }

    static ManagedResource mesh() {
        return new DocumentResource("trellis_mesh", "A mesh: the set of services that may call each other, with its mTLS mode.",
                null, List.of(optional("mtls", TfType.STRING,
                        "`STRICT` (default deny, mutual TLS everywhere), `PERMISSIVE` or `DISABLED`; the API's default is `STRICT`."),
                        optional("defaults", TfType.STRING, "Mesh-wide defaults as JSON, usually written with `jsonencode({...})`.")
                                .jsonString(),
                        optional("max_retry_amplification", TfType.NUMBER,
                                "Warn when retries across hops could multiply one request into more upstream calls than this.")
                                .json("analysis.maxRetryAmplification")));
    }

    static ManagedResource service() {
        return new DocumentResource("trellis_service", "A service of a mesh, its versions and how its callers balance load.",
                "services",
                List.of(optional("protocol", TfType.STRING, "`http` (the default) or `grpc`."),
                        required("port", TfType.NUMBER, "The port the application listens on."),
                        optional("load_balancer", TfType.STRING, "`ROUND_ROBIN`, `LEAST_REQUEST` or `EWMA`.")
                                .json("loadBalancer.algorithm"),
                        optional("depends_on_services", STRINGS,
                                "Services this one calls; narrows what its proxies receive.").json("dependsOn")),
                NestedBlock.list("version", "versions", Block.of("A named subset (e.g. `v1`), the unit of a canary split.",
                        List.of(required("name", TfType.STRING, "The version name.")))),
                NestedBlock.list("endpoint", "endpoints", Block.of("A static endpoint, for services outside the mesh.",
                        List.of(required("address", TfType.STRING, "IP address or DNS host name; never link-local or a cloud metadata address."),
                                required("port", TfType.NUMBER, "Port."),
                                optional("version", TfType.STRING, "The version this endpoint serves.")))));
    }

    static ManagedResource route() {
        Block match = Block.of("Which requests the rule takes; all given conditions must hold.", List.of(
                optional("path_exact", TfType.STRING, "The path equals this."),
                optional("path_prefix", TfType.STRING, "The path starts with this."),
                optional("path_regex", TfType.STRING, "The path matches this RE2 regular expression (linear time; no back-references or lookaround)."),
                optional("methods", STRINGS, "HTTP methods.")))
                .with(NestedBlock.list("header", "headers", nameValue("A request header condition.", true)),
                        NestedBlock.list("query", "query", nameValue("A query parameter condition.", false)));
        Block retry = Block.of("Retries of a failed try.", List.of(
                optional("attempts", TfType.NUMBER, "Tries in all, the first included."),
                optional("per_try_timeout", TfType.STRING, "Timeout of each try, e.g. `500ms`."),
                optional("retry_on", STRINGS, "Conditions that trigger a retry, e.g. `5xx`, `reset`."),
                optional("budget_percent", TfType.NUMBER, "At most this share of requests may be retries."),
                optional("backoff_base", TfType.STRING, "First backoff between tries, e.g. `25ms`.").json("backoff.base"),
                optional("backoff_max", TfType.STRING, "Longest backoff between tries.").json("backoff.max")));
        Block fault = Block.of("Injected faults, for testing resilience.", List.of(
                optional("delay_duration", TfType.STRING, "Delay added to requests, e.g. `100ms`.").json("delay.duration"),
                optional("delay_percent", TfType.NUMBER, "Share of requests delayed.").json("delay.percent"),
                optional("abort_status", TfType.NUMBER, "HTTP status answered instead of forwarding.").json("abort.status"),
                optional("abort_percent", TfType.NUMBER, "Share of requests aborted.").json("abort.percent")));
        Block rewrite = Block.of("Header and path rewrites.", List.of(
                optional("request_set", TfType.mapOf(TfType.STRING), "Request headers to set.").json("request.set"),
                optional("request_remove", STRINGS, "Request headers to remove.").json("request.remove"),
                optional("response_set", TfType.mapOf(TfType.STRING), "Response headers to set.").json("response.set"),
                optional("response_remove", STRINGS, "Response headers to remove.").json("response.remove"),
                optional("prefix_rewrite", TfType.STRING, "Replaces the matched `path_prefix`.")));
        Block mirror = Block.of("Copies requests to another service; its answers are dropped.", List.of(
                required("service", TfType.STRING, "The service that receives the copies."),
                optional("version", TfType.STRING, "Its version."),
                optional("percent", TfType.NUMBER, "Share of requests copied (default 100).")));
        Block backend = Block.of("A weighted destination.", List.of(
                required("service", TfType.STRING, "The service."),
                optional("version", TfType.STRING, "The version (subset) of the service."),
                optional("weight", TfType.NUMBER, "Share of the traffic; the weights of a rule sum to 100.")));
        Block rule = Block.of("A rule; the first that matches a request takes it.", List.of(
                optional("timeout", TfType.STRING, "Overall timeout, e.g. `2s`.")))
                .with(NestedBlock.single("match", "match", match),
                        NestedBlock.list("backend", "backends", backend).atLeast(1),
                        NestedBlock.single("retry", "retry", retry),
                        NestedBlock.single("fault", "fault", fault),
                        NestedBlock.single("headers", "headers", rewrite),
                        NestedBlock.single("mirror", "mirror", mirror));
        return new DocumentResource("trellis_route", "Ordered routing rules for the requests to one service: matches, "
                + "weighted backends (canary splits), timeouts, retries, fault injection, header rewrites and mirroring.", "routes",
                List.of(required("service", TfType.STRING, "The service whose requests this route takes.")),
                NestedBlock.list("rule", "rules", rule).atLeast(1));
    }

    static ManagedResource policy() {
        return new DocumentResource("trellis_policy", "A policy of one kind applied to a service (optionally one of its routes).",
                "policies",
                List.of(required("kind", TfType.STRING, "`RETRY`, `TIMEOUT`, `CIRCUIT_BREAKER`, `OUTLIER_DETECTION`, "
                                + "`RATE_LIMIT`, `FAULT_INJECTION`, `ACCESS` or `LOAD_BALANCER`."),
                        required("target_service", TfType.STRING, "The service the policy applies to.").json("target.service"),
                        optional("target_route", TfType.STRING, "Narrows the policy to one route.").json("target.route"),
                        required("spec", TfType.STRING, "The kind's settings as JSON, usually written with `jsonencode({...})`.")
                                .jsonString()));
    }

    /** A header or query condition: exactly one of exact, prefix (headers only), regex, present. */
    private static Block nameValue(String description, boolean header) {
        List<Attribute> attributes = new java.util.ArrayList<>(List.of(
                required("name", TfType.STRING, "The name."),
                optional("exact", TfType.STRING, "The value equals this."),
                optional("regex", TfType.STRING, "The value matches this RE2 regular expression (linear time; no back-references or lookaround)."),
                optional("present", TfType.BOOL, "`true`: the parameter must be present, whatever its value.")));
        if (header) {
            attributes.add(optional("prefix", TfType.STRING, "The value starts with this."));
        }
        return Block.of(description, attributes);
    }
}
