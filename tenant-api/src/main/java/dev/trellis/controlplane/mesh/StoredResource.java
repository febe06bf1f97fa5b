package dev.trellis.controlplane.mesh;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * A declared document as stored, with its metadata. {@code resourceVersion} grows by one on
 * every change and is the resource's ETag.
 */
public record StoredResource(ResourceKind kind, String mesh, String name, JsonNode document, long resourceVersion,
                             Instant createdAt, Instant updatedAt) {

    /** Read-only fields every answer adds to the document; a client may send them back unchanged. */
    static final java.util.List<String> METADATA = java.util.List.of("name", "resourceVersion", "createdAt", "updatedAt");

    public String etag() {
        return "\"" + resourceVersion + "\"";
    }

    /** The answer's JSON: the document as sent plus name, resourceVersion, createdAt, updatedAt. */
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("name", name);
        json.setAll((ObjectNode) document);
        json.put("resourceVersion", Long.toString(resourceVersion));
        json.put("createdAt", createdAt.toString());
        json.put("updatedAt", updatedAt.toString());
        return json;
    }
}
