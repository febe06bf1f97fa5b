-- Injection: injectors are declarative mesh resources (mesh_resources, kind 'injectors'); their
-- webhook secrets, what their webhook did (admissions and skips by reason) and the reusable task
-- tokens of ECS task definitions live beside them. Same row-level security as V2 and V50.
ALTER TABLE mesh_resources DROP CONSTRAINT mesh_resources_kind_check;
ALTER TABLE mesh_resources ADD CONSTRAINT mesh_resources_kind_check
    CHECK (kind IN ('meshes', 'services', 'routes', 'policies', 'injectors'));

-- The secret in a webhook URL, stored hashed; one per injector, replaced when rotated.
CREATE TABLE injector_secrets (
    id          text PRIMARY KEY,
    tenant_id   text NOT NULL,
    mesh        text NOT NULL,
    injector    text NOT NULL,
    secret_hash bytea NOT NULL,
    created_at  timestamptz NOT NULL,
    UNIQUE (tenant_id, mesh, injector),
    FOREIGN KEY (tenant_id, mesh) REFERENCES meshes (tenant_id, name) ON DELETE CASCADE
);

-- Per injector and outcome ('injected' or a skip reason): how often, and the last pod it happened to.
CREATE TABLE injector_outcomes (
    tenant_id      text NOT NULL,
    mesh           text NOT NULL,
    injector       text NOT NULL,
    outcome        text NOT NULL,
    count          bigint NOT NULL,
    last_namespace text,
    last_pod       text,
    last_at        timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mesh, injector, outcome),
    FOREIGN KEY (tenant_id, mesh) REFERENCES meshes (tenant_id, name) ON DELETE CASCADE
);

-- A reusable bootstrap credential for the tasks of one ECS task definition (many tasks, one
-- definition): scoped to mesh, service and version, revocable, exchanged at registration.
CREATE TABLE task_tokens (
    id          text PRIMARY KEY,
    tenant_id   text NOT NULL,
    mesh        text NOT NULL,
    service     text NOT NULL,
    version     text,
    secret_hash bytea NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    FOREIGN KEY (tenant_id, mesh) REFERENCES meshes (tenant_id, name) ON DELETE CASCADE
);
CREATE INDEX task_tokens_mesh ON task_tokens (tenant_id, mesh, service);

ALTER TABLE injector_secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE injector_secrets FORCE ROW LEVEL SECURITY;
-- The API server presents the secret before its tenant is known: the lookup names that one secret.
CREATE POLICY tenant_isolation ON injector_secrets
    USING (tenant_id = current_setting('trellis.tenant_id', true)
           OR id = current_setting('trellis.injector_secret_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

ALTER TABLE injector_outcomes ENABLE ROW LEVEL SECURITY;
ALTER TABLE injector_outcomes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON injector_outcomes
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

ALTER TABLE task_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE task_tokens FORCE ROW LEVEL SECURITY;
-- A task's proxy presents its token before its tenant is known, as with join tokens.
CREATE POLICY tenant_isolation ON task_tokens
    USING (tenant_id = current_setting('trellis.tenant_id', true)
           OR id = current_setting('trellis.join_token_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

GRANT SELECT, INSERT, UPDATE, DELETE ON injector_secrets, injector_outcomes, task_tokens TO trellis_app;
