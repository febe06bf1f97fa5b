-- Fleet: one certificate authority per mesh (its key sealed with the master key), the proxies
-- that registered with a join token, and a notification on every snapshot change so that every
-- control plane replica wakes the long polls it holds. Same row-level security as V1 and V2.
CREATE TABLE mesh_authorities (
    tenant_id   text NOT NULL,
    mesh        text NOT NULL,
    certificate text NOT NULL,
    sealed_key  bytea NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mesh),
    FOREIGN KEY (tenant_id, mesh) REFERENCES meshes (tenant_id, name) ON DELETE CASCADE
);

-- A registered proxy; secret_hash is the hash of its proxy token, which expires with its certificate.
CREATE TABLE proxies (
    id                text PRIMARY KEY,
    tenant_id         text NOT NULL,
    mesh              text NOT NULL,
    service           text NOT NULL,
    version           text,
    secret_hash       bytea NOT NULL,
    fingerprint       text NOT NULL,
    not_after         timestamptz NOT NULL,
    registered_at     timestamptz NOT NULL,
    last_seen         timestamptz NOT NULL,
    applied_version   text,
    rejected_version  text,
    rejection_reason  text,
    endpoint_address  text,
    endpoint_port     integer,
    FOREIGN KEY (tenant_id, mesh) REFERENCES meshes (tenant_id, name) ON DELETE CASCADE
);
CREATE INDEX proxies_mesh ON proxies (tenant_id, mesh, service);
CREATE INDEX proxies_endpoints ON proxies (last_seen) WHERE endpoint_address IS NOT NULL;

ALTER TABLE mesh_authorities ENABLE ROW LEVEL SECURITY;
ALTER TABLE mesh_authorities FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mesh_authorities
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

-- A proxy presents its token before its tenant is known: the lookup names that one proxy.
ALTER TABLE proxies ENABLE ROW LEVEL SECURITY;
ALTER TABLE proxies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON proxies
    USING (tenant_id = current_setting('trellis.tenant_id', true)
           OR id = current_setting('trellis.proxy_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

GRANT SELECT, INSERT, UPDATE, DELETE ON mesh_authorities, proxies TO trellis_app;

-- Sent at commit, so a woken poll always reads the committed snapshot; nothing is sent for a
-- service whose snapshot kept its version, because the compiler's store does not rewrite it.
CREATE FUNCTION notify_snapshot_change() RETURNS trigger AS $$
DECLARE
    changed snapshots;
BEGIN
    IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
    PERFORM pg_notify('trellis_snapshots',
        json_build_object('tenant', changed.tenant_id, 'mesh', changed.mesh, 'service', changed.service)::text);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER snapshots_notify AFTER INSERT OR UPDATE OR DELETE ON snapshots
    FOR EACH ROW EXECUTE FUNCTION notify_snapshot_change();
