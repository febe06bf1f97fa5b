package dev.trellis.terraform.resource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every resource type and data source the provider serves, registered in one place. */
public record Catalog(Map<String, ManagedResource> resources, Map<String, DataSource> dataSources) {

    public static Catalog trellis() {
        Map<String, ManagedResource> resources = new LinkedHashMap<>();
        ManagedResource mesh = MeshResources.mesh();
        ManagedResource service = MeshResources.service();
        for (ManagedResource r : List.of(mesh, service, MeshResources.route(), MeshResources.policy(),
                new ApiKeyResource(), new JoinTokenResource())) {
            resources.put(r.typeName(), r);
        }
        Map<String, DataSource> dataSources = new LinkedHashMap<>();
        for (DataSource d : List.of(new DocumentDataSource("trellis_mesh", null, mesh.schema()),
                new DocumentDataSource("trellis_service", "services", service.schema()), new SnapshotDataSource(),
                new EcsTaskDefinitionDataSource())) {
            dataSources.put(d.typeName(), d);
        }
        return new Catalog(Map.copyOf(resources), Map.copyOf(dataSources));
    }

    public ManagedResource resource(String typeName) {
        ManagedResource resource = resources.get(typeName);
        if (resource == null) {
            throw new ProviderFailure("Unknown resource type " + typeName, "This provider has no such resource type.");
        }
        return resource;
    }

    public DataSource dataSource(String typeName) {
        DataSource dataSource = dataSources.get(typeName);
        if (dataSource == null) {
            throw new ProviderFailure("Unknown data source " + typeName, "This provider has no such data source.");
        }
        return dataSource;
    }
}
