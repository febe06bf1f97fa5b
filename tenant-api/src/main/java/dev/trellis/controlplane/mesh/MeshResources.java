package dev.trellis.controlplane.mesh;

import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.web.Page;
import dev.trellis.controlplane.web.PageRequest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The meshes and mesh_resources tables. Callers run inside the tenant's transaction. */
@Repository
public class MeshResources {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String COLUMNS = "kind, mesh, name, document::text, resource_version, created_at, updated_at";
    private final JdbcClient jdbc;

    MeshResources(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Creates the mesh's parent row if needed and locks it: writes to one mesh are serialised. */
    void createAndLockMesh(String tenantId, String mesh) {
        jdbc.sql("INSERT INTO meshes (tenant_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                .params(tenantId, mesh, Timestamp.from(TenantTransactions.now()))
                .update();
        lockMesh(tenantId, mesh);
    }

    /** Locks an existing mesh for the rest of the transaction; false when the tenant has no such mesh. */
    public boolean lockMesh(String tenantId, String mesh) {
        return jdbc.sql("SELECT name FROM meshes WHERE tenant_id = ? AND name = ? FOR UPDATE")
                .params(tenantId, mesh)
                .query(String.class)
                .optional()
                .isPresent();
    }

    /**
     * The mesh's compile generation: a fresh random value stored with every recompilation, so a
     * compiled mesh kept in memory is known to be current exactly when its generation is this one.
     * Null for a mesh never compiled since the column was added (or no such mesh).
     */
    public String generation(String tenantId, String mesh) {
        return jdbc.sql("SELECT compiled_generation FROM meshes WHERE tenant_id = ? AND name = ?")
                .params(tenantId, mesh)
                .query(String.class)
                .optional()
                .orElse(null);
    }

    public void generation(String tenantId, String mesh, String generation) {
        jdbc.sql("UPDATE meshes SET compiled_generation = ? WHERE tenant_id = ? AND name = ?")
                .params(generation, tenantId, mesh)
                .update();
    }

    public boolean meshExists(String tenantId, String mesh) {
        return jdbc.sql("SELECT name FROM meshes WHERE tenant_id = ? AND name = ?")
                .params(tenantId, mesh)
                .query(String.class)
                .optional()
                .isPresent();
    }

    public Optional<StoredResource> find(String tenantId, ResourceKind kind, String mesh, String name) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM mesh_resources WHERE tenant_id = ? AND mesh = ? AND kind = ? AND name = ?")
                .params(tenantId, mesh, kind.segment(), name)
                .query(MeshResources::resource)
                .optional();
    }

    StoredResource save(String tenantId, ResourceKind kind, String mesh, String name, JsonNode document,
                        Optional<StoredResource> before) {
        Instant now = TenantTransactions.now();
        long version = before.map(r -> r.resourceVersion() + 1).orElse(1L);
        Instant created = before.map(StoredResource::createdAt).orElse(now);
        jdbc.sql("""
                        INSERT INTO mesh_resources (tenant_id, mesh, kind, name, document, resource_version, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?::jsonb, ?, ?, ?)
                        ON CONFLICT (tenant_id, mesh, kind, name) DO UPDATE
                        SET document = excluded.document, resource_version = excluded.resource_version,
                            updated_at = excluded.updated_at""")
                .params(tenantId, mesh, kind.segment(), name, JSON.writeValueAsString(document), version,
                        Timestamp.from(created), Timestamp.from(now))
                .update();
        return find(tenantId, kind, mesh, name).orElseThrow();
    }

    void delete(String tenantId, ResourceKind kind, String mesh, String name) {
        jdbc.sql("DELETE FROM mesh_resources WHERE tenant_id = ? AND mesh = ? AND kind = ? AND name = ?")
                .params(tenantId, mesh, kind.segment(), name)
                .update();
    }

    /** Removes the mesh's parent row with its snapshots and join tokens; its documents must be gone already. */
    void deleteMesh(String tenantId, String mesh) {
        for (String table : List.of("snapshots", "join_tokens", "mesh_resources")) {
            jdbc.sql("DELETE FROM " + table + " WHERE tenant_id = ? AND mesh = ?").params(tenantId, mesh).update();
        }
        jdbc.sql("DELETE FROM meshes WHERE tenant_id = ? AND name = ?").params(tenantId, mesh).update();
    }

    /** Every document of one kind in a mesh, by name, for the compiler. */
    public Map<String, JsonNode> documents(String tenantId, ResourceKind kind, String mesh) {
        Map<String, JsonNode> documents = new LinkedHashMap<>();
        jdbc.sql("SELECT name, document::text FROM mesh_resources WHERE tenant_id = ? AND mesh = ? AND kind = ? ORDER BY name")
                .params(tenantId, mesh, kind.segment())
                .query(rs -> {
                    documents.put(rs.getString(1), JSON.readTree(rs.getString(2)));
                });
        return documents;
    }

    /** Names of the mesh's services, routes and policies, as resource paths. */
    List<String> contents(String tenantId, String mesh) {
        return jdbc.sql("SELECT kind || '/' || name FROM mesh_resources WHERE tenant_id = ? AND mesh = ? AND kind <> 'meshes' ORDER BY kind, name LIMIT 20")
                .params(tenantId, mesh)
                .query(String.class)
                .list();
    }

    /** A page of one kind: meshes of the tenant, or services / routes / policies of one mesh. */
    public Page<StoredResource> page(String tenantId, ResourceKind kind, String mesh, PageRequest request) {
        List<StoredResource> rows = kind == ResourceKind.MESH
                ? jdbc.sql("SELECT " + COLUMNS + " FROM mesh_resources WHERE tenant_id = ? AND kind = 'meshes' AND name > ? ORDER BY name LIMIT ?")
                        .params(tenantId, request.after(), request.fetchSize()).query(MeshResources::resource).list()
                : jdbc.sql("SELECT " + COLUMNS + " FROM mesh_resources WHERE tenant_id = ? AND mesh = ? AND kind = ? AND name > ? ORDER BY name LIMIT ?")
                        .params(tenantId, mesh, kind.segment(), request.after(), request.fetchSize()).query(MeshResources::resource).list();
        return Page.of(rows, request, StoredResource::name);
    }

    private static StoredResource resource(ResultSet rs, int row) throws SQLException {
        return new StoredResource(ResourceKind.ofSegment(rs.getString(1)).orElseThrow(), rs.getString(2), rs.getString(3),
                JSON.readTree(rs.getString(4)), rs.getLong(5), rs.getTimestamp(6).toInstant(), rs.getTimestamp(7).toInstant());
    }
}
