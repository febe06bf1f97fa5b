-- Reports counted but not yet folded into their minute buckets (docs/telemetry.md, "Folding").
-- POST /v1/fleet/usage writes the report's key into usage_reports and its route rows here, in one
-- statement and one transaction; a folder (every replica, every trellis.telemetry.fold-interval)
-- deletes a batch of these rows and adds them to metric_minutes and usage_minutes in one transaction,
-- so each report is folded exactly once, and a crash leaves its rows here for the next fold.
CREATE TABLE usage_pending (
    proxy_id           text        NOT NULL,
    sequence           bigint      NOT NULL,
    tenant_id          text        NOT NULL,
    mesh               text        NOT NULL,
    service            text        NOT NULL,
    minute             timestamptz NOT NULL,
    proxy_milliseconds bigint      NOT NULL,
    requests           bigint      NOT NULL,
    bytes_in           bigint      NOT NULL,
    bytes_out          bigint      NOT NULL,
    routes             bytea       NOT NULL,
    PRIMARY KEY (proxy_id, sequence)
);
CREATE INDEX usage_pending_tenant ON usage_pending (tenant_id);

ALTER TABLE usage_pending ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_pending FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage_pending
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

-- UPDATE only because a fold takes its rows FOR UPDATE (which needs the privilege); nothing updates them.
GRANT SELECT, INSERT, UPDATE, DELETE ON usage_pending TO trellis_app;

-- Which tenants have reports to fold; the folding itself runs in each tenant's transaction, under RLS.
CREATE FUNCTION telemetry_pending_tenants()
    RETURNS TABLE (tenant_id text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT DISTINCT tenant_id FROM usage_pending
$$;
REVOKE ALL ON FUNCTION telemetry_pending_tenants() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION telemetry_pending_tenants() TO trellis_app;
