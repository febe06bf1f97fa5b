package dev.trellis.controlplane.mesh;

import dev.trellis.compiler.Documents;
import dev.trellis.compiler.Parsed;
import tools.jackson.databind.JsonNode;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The declarative resources of a mesh; the segment is both the URL path segment and the stored kind. */
public enum ResourceKind {
    MESH("meshes", "mesh", Documents::mesh),
    SERVICE("services", "service", Documents::service),
    ROUTE("routes", "route", Documents::route),
    POLICY("policies", "policy", Documents::policy),
    /** Not compiled: the injection feature validates injector documents itself before it writes them. */
    INJECTOR("injectors", "injector", document -> new Parsed<>(document, List.of()));

    private final String segment;
    private final String singular;
    private final Function<JsonNode, Parsed<?>> parser;

    ResourceKind(String segment, String singular, Function<JsonNode, Parsed<?>> parser) {
        this.segment = segment;
        this.singular = singular;
        this.parser = parser;
    }

    public String segment() {
        return segment;
    }

    public String singular() {
        return singular;
    }

    /** Parses and validates a document of this kind with the config compiler. */
    public Parsed<?> parse(JsonNode document) {
        return parser.apply(document);
    }

    /** How audit events and violations name a resource: {@code meshes/shop}, {@code meshes/shop/routes/echo-canary}. */
    public String path(String mesh, String name) {
        return this == MESH ? "meshes/" + name : "meshes/" + mesh + "/" + segment + "/" + name;
    }

    public static Optional<ResourceKind> ofSegment(String segment) {
        return Arrays.stream(values()).filter(k -> k.segment.equals(segment)).findFirst();
    }
}
