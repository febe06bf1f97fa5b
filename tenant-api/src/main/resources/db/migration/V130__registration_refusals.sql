-- Registrations a quota refused: the registration's own transaction rolls back (nothing of the proxy
-- is stored and its join token is not spent), so the refusal is kept here, in a transaction of its own,
-- for GET /v1/meshes/{mesh}/proxies to show where the user looks. One row per mesh, service, version and
-- quota: a proxy that keeps retrying updates its row; a registration of that service and version that
-- succeeds later deletes it.
CREATE TABLE registration_refusals (
    tenant_id     text        NOT NULL,
    mesh          text        NOT NULL,
    service       text        NOT NULL,
    version       text        NOT NULL,
    quota         text        NOT NULL,
    reason        text        NOT NULL,
    limit_value   bigint      NOT NULL,
    current_value bigint      NOT NULL,
    plan          text        NOT NULL,
    first_at      timestamptz NOT NULL,
    last_at       timestamptz NOT NULL,
    attempts      bigint      NOT NULL,
    PRIMARY KEY (tenant_id, mesh, service, version, quota)
);

ALTER TABLE registration_refusals ENABLE ROW LEVEL SECURITY;
ALTER TABLE registration_refusals FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON registration_refusals
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

GRANT SELECT, INSERT, UPDATE, DELETE ON registration_refusals TO trellis_app;
