-- Tenancy and access. Every tenant table carries tenant_id and is guarded by row-level security
-- keyed on the per-transaction setting trellis.tenant_id, forced even for the table owner.
-- The application connects as trellis_app, which is neither superuser nor owner.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'trellis_app') THEN
        CREATE ROLE trellis_app LOGIN;
    END IF;
END
$$;

CREATE TABLE tenants (
    id         text PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL
);

CREATE TABLE api_keys (
    id          text PRIMARY KEY,
    tenant_id   text NOT NULL REFERENCES tenants (id),
    name        text NOT NULL,
    role        text NOT NULL,
    secret_hash bytea NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, id);

CREATE TABLE members (
    tenant_id  text NOT NULL REFERENCES tenants (id),
    subject    text NOT NULL,
    role       text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, subject)
);

CREATE TABLE audit_events (
    id            bigserial PRIMARY KEY,
    tenant_id     text NOT NULL REFERENCES tenants (id),
    at            timestamptz NOT NULL,
    actor         text NOT NULL,
    action        text NOT NULL,
    resource      text NOT NULL,
    before        jsonb,
    after         jsonb
);
CREATE INDEX audit_events_tenant ON audit_events (tenant_id, id DESC);

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (id = current_setting('trellis.tenant_id', true))
    WITH CHECK (id = current_setting('trellis.tenant_id', true));

-- An API key is looked up by its id before the tenant is known: the lookup names that one key.
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
    USING (tenant_id = current_setting('trellis.tenant_id', true)
           OR id = current_setting('trellis.api_key_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

ALTER TABLE members ENABLE ROW LEVEL SECURITY;
ALTER TABLE members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON members
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_events
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

GRANT SELECT, INSERT, UPDATE, DELETE ON tenants, api_keys, members, audit_events TO trellis_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO trellis_app;
