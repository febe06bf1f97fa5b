-- Declared mesh resources (documents as received, normalised by jsonb), compiled snapshots
-- (canonical bytes, served unchanged) and join tokens. Same row-level security as V1.
-- One row per mesh: the parent of everything in it, and the row a write locks, so that writes
-- to one mesh (each recompiling the whole mesh) are serialised.
CREATE TABLE meshes (
    tenant_id  text NOT NULL REFERENCES tenants (id),
    name       text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

-- Every declared document, the mesh's own included (kind 'meshes', mesh = name); kind is the URL segment.
CREATE TABLE mesh_resources (
    tenant_id        text NOT NULL,
    mesh             text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('meshes', 'services', 'routes', 'policies')),
    name             text NOT NULL,
    document         jsonb NOT NULL,
    resource_version bigint NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mesh, kind, name),
    FOREIGN KEY (tenant_id, mesh) REFERENCES meshes (tenant_id, name)
);
CREATE INDEX mesh_resources_kind ON mesh_resources (tenant_id, kind, name);

CREATE TABLE snapshots (
    tenant_id  text NOT NULL,
    mesh       text NOT NULL,
    service    text NOT NULL,
    version    text NOT NULL,
    body       bytea NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mesh, service),
    FOREIGN KEY (tenant_id, mesh) REFERENCES meshes (tenant_id, name)
);

CREATE TABLE join_tokens (
    id          text PRIMARY KEY,
    tenant_id   text NOT NULL,
    mesh        text NOT NULL,
    service     text NOT NULL,
    version     text,
    secret_hash bytea NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    FOREIGN KEY (tenant_id, mesh) REFERENCES meshes (tenant_id, name)
);

ALTER TABLE meshes ENABLE ROW LEVEL SECURITY;
ALTER TABLE meshes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON meshes
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

ALTER TABLE mesh_resources ENABLE ROW LEVEL SECURITY;
ALTER TABLE mesh_resources FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mesh_resources
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

ALTER TABLE snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE snapshots FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON snapshots
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

-- A proxy presents its join token before its tenant is known: the lookup names that one token.
ALTER TABLE join_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE join_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON join_tokens
    USING (tenant_id = current_setting('trellis.tenant_id', true)
           OR id = current_setting('trellis.join_token_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

GRANT SELECT, INSERT, UPDATE, DELETE ON meshes, mesh_resources, snapshots, join_tokens TO trellis_app;
