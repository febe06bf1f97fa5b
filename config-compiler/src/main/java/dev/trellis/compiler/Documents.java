package dev.trellis.compiler;

import dev.trellis.compiler.document.Names;
import dev.trellis.compiler.document.ObjectReader;
import dev.trellis.compiler.document.Violations;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.function.Function;

/**
 * Parses and validates single API documents exactly as clients send them, collecting every
 * violation with its JSON path: unknown fields, wrong types, missing fields, bad enums and
 * durations, regexes RE2 cannot run or that exceed its limits, header rewrites and endpoint
 * addresses that would break the wire, split weights that don't sum to 100, names that are not
 * DNS-1123 labels. References to other resources are checked by {@link MeshCompiler}.
 * Field names and shapes are documented in {@code docs/policies.md} and {@code openapi/trellis.yaml}.
 */
public final class Documents {
    private Documents() {
    }

    /** A mesh document ({@code mtls}, {@code defaults}, {@code analysis}). */
    public static Parsed<MeshSpec> mesh(JsonNode doc) {
        return parse(doc, MeshDocument::read);
    }

    /** A service document ({@code protocol}, {@code port}, {@code versions}, {@code loadBalancer}, {@code endpoints}, {@code dependsOn}). */
    public static Parsed<ServiceSpec> service(JsonNode doc) {
        return parse(doc, ServiceDocument::read);
    }

    /** A route document ({@code service}, {@code rules}). */
    public static Parsed<RouteSpec> route(JsonNode doc) {
        return parse(doc, RouteDocument::read);
    }

    /** A policy document ({@code kind}, {@code target}, {@code spec}). */
    public static Parsed<PolicySpec> policy(JsonNode doc) {
        return parse(doc, PolicyDocument::read);
    }

    /** Violations of a resource name (a DNS-1123 label), with field {@code "name"}; empty when valid. */
    public static List<Violation> name(String name) {
        String problem = Names.problem(name);
        return problem == null ? List.of() : List.of(new Violation(null, "name", problem));
    }

    private static <T> Parsed<T> parse(JsonNode doc, Function<ObjectReader, T> read) {
        Violations violations = new Violations(null);
        ObjectReader root = ObjectReader.root(doc, violations);
        T value = violations.isEmpty() ? read.apply(root) : null;
        root.end();
        return new Parsed<>(violations.isEmpty() ? value : null, violations.list());
    }
}
