-- Statements the previous release (schema version 90, commit 901a510) runs as trellis_app inside a
-- tenant's transaction, in the form its code sends them (tenant/Tenants, mesh/MeshResources,
-- snapshot/SnapshotStore, authority/MeshAuthorities, fleet/Proxies). MigrationsUpgradeIT runs them
-- on the previous schema and again after the new migrations: a replica of the previous release
-- keeps working during a rolling upgrade. ${tenant} is replaced by the tenant's id.
INSERT INTO tenants (id, name, created_at) VALUES ('${tenant}', 'name-${tenant}', '2026-11-30 10:00:00+00');
INSERT INTO meshes (tenant_id, name, created_at) VALUES ('${tenant}', 'shop', '2026-11-30 10:00:01+00') ON CONFLICT DO NOTHING;
SELECT name FROM meshes WHERE tenant_id = '${tenant}' AND name = 'shop' FOR UPDATE;
INSERT INTO mesh_resources (tenant_id, mesh, kind, name, document, resource_version, created_at, updated_at)
    VALUES ('${tenant}', 'shop', 'services', 'echo', '{"protocol": "http", "port": 8080}'::jsonb, 1, '2026-11-30 10:00:02+00', '2026-11-30 10:00:02+00')
    ON CONFLICT (tenant_id, mesh, kind, name) DO UPDATE
    SET document = excluded.document, resource_version = excluded.resource_version, updated_at = excluded.updated_at;
SELECT name, document::text FROM mesh_resources WHERE tenant_id = '${tenant}' AND mesh = 'shop' AND kind = 'services' ORDER BY name;
UPDATE meshes SET compiled_generation = 'g1' WHERE tenant_id = '${tenant}' AND name = 'shop';
INSERT INTO snapshots (tenant_id, mesh, service, version, body, updated_at) VALUES ('${tenant}', 'shop', 'echo', 'v-1', '\x7b7d'::bytea, '2026-11-30 10:00:03+00')
    ON CONFLICT (tenant_id, mesh, service) DO UPDATE SET version = excluded.version, body = excluded.body, updated_at = excluded.updated_at;
SELECT version, body FROM snapshots WHERE tenant_id = '${tenant}' AND mesh = 'shop' AND service = 'echo';
INSERT INTO mesh_authorities (tenant_id, mesh, certificate, sealed_key, created_at)
    VALUES ('${tenant}', 'shop', 'PEM of ${tenant}', '\x00010203'::bytea, '2026-11-30 10:00:04+00') ON CONFLICT DO NOTHING;
SELECT certificate, sealed_key FROM mesh_authorities WHERE tenant_id = '${tenant}' AND mesh = 'shop';
INSERT INTO proxies (id, tenant_id, mesh, service, version, secret_hash, fingerprint, not_after, registered_at, last_seen)
    VALUES ('prx_${tenant}', '${tenant}', 'shop', 'echo', 'v1', '\x0a0b'::bytea, 'ab12', '2026-12-01 10:00:05+00', '2026-11-30 10:00:05+00', '2026-11-30 10:00:05+00');
SELECT id, service, version, not_after FROM proxies WHERE tenant_id = '${tenant}' AND mesh = 'shop' ORDER BY id;
