-- Telemetry and usage (docs/telemetry.md): the proxies' usage reports, counted once by
-- (proxy_id, sequence) whichever replica receives them, folded into minute buckets of golden
-- metrics, rolled up into hours after a retention period, and per-mesh usage rows that billing
-- rates. Same row-level security as every tenant table.

-- One row per report already counted; the primary key is what makes a resend count once.
CREATE TABLE usage_reports (
    proxy_id           text NOT NULL,
    sequence           bigint NOT NULL,
    tenant_id          text NOT NULL,
    mesh               text NOT NULL,
    service            text NOT NULL,
    window_start       timestamptz NOT NULL,
    window_end         timestamptz NOT NULL,
    received_at        timestamptz NOT NULL,
    snapshot_version   text,
    uptime_seconds     double precision NOT NULL,
    requests           bigint NOT NULL,
    bytes_in           bigint NOT NULL,
    bytes_out          bigint NOT NULL,
    proxy_milliseconds bigint NOT NULL,
    dropped_reports    bigint NOT NULL,
    connections_opened bigint NOT NULL,
    connections_active bigint NOT NULL,
    PRIMARY KEY (proxy_id, sequence)
);
CREATE INDEX usage_reports_received ON usage_reports (received_at);
CREATE INDEX usage_reports_mesh ON usage_reports (tenant_id, mesh, window_end);

-- Golden metrics per minute. service is the reporting proxy's service; outbound rows are what
-- its callers saw of upstream through one route rule, inbound rows what it served, per caller.
-- latency is an HdrHistogram (microseconds) in its compressed encoding, merged in the application.
CREATE TABLE metric_minutes (
    tenant_id          text NOT NULL,
    mesh               text NOT NULL,
    service            text NOT NULL,
    direction          text NOT NULL,
    route              text NOT NULL,
    rule               text NOT NULL,
    upstream           text NOT NULL,
    caller             text NOT NULL,
    bucket             timestamptz NOT NULL,
    requests_1xx       bigint NOT NULL,
    requests_2xx       bigint NOT NULL,
    requests_3xx       bigint NOT NULL,
    requests_4xx       bigint NOT NULL,
    requests_5xx       bigint NOT NULL,
    bytes_in           bigint NOT NULL,
    bytes_out          bigint NOT NULL,
    retries            bigint NOT NULL,
    breaker_rejections bigint NOT NULL,
    latency            bytea NOT NULL,
    PRIMARY KEY (tenant_id, mesh, service, direction, rule, upstream, caller, bucket)
);
CREATE INDEX metric_minutes_time ON metric_minutes (tenant_id, mesh, bucket);
CREATE INDEX metric_minutes_upstream ON metric_minutes (tenant_id, mesh, upstream, bucket);

-- The same, an hour per row, once minute rows are older than the minute retention.
CREATE TABLE metric_hours (LIKE metric_minutes INCLUDING ALL);

-- What billing rates: per tenant, mesh and minute, the connected proxy time, requests and bytes of
-- every report counted (each exactly once), by the minute its window started.
CREATE TABLE usage_minutes (
    tenant_id          text NOT NULL,
    mesh               text NOT NULL,
    minute             timestamptz NOT NULL,
    proxy_milliseconds bigint NOT NULL,
    requests           bigint NOT NULL,
    bytes_in           bigint NOT NULL,
    bytes_out          bigint NOT NULL,
    reports            bigint NOT NULL,
    PRIMARY KEY (tenant_id, mesh, minute)
);

-- Every new snapshot version of a service, with the transaction that wrote it, so a metrics
-- answer can name the audit event (written in the same transaction) that caused it.
ALTER TABLE audit_events ADD COLUMN txid bigint DEFAULT txid_current();
CREATE TABLE snapshot_changes (
    id         bigserial PRIMARY KEY,
    tenant_id  text NOT NULL,
    mesh       text NOT NULL,
    service    text NOT NULL,
    version    text NOT NULL,
    changed_at timestamptz NOT NULL,
    txid       bigint NOT NULL
);
CREATE INDEX snapshot_changes_service ON snapshot_changes (tenant_id, mesh, service, changed_at);

CREATE FUNCTION record_snapshot_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' OR OLD.version IS DISTINCT FROM NEW.version THEN
        INSERT INTO snapshot_changes (tenant_id, mesh, service, version, changed_at, txid)
        VALUES (NEW.tenant_id, NEW.mesh, NEW.service, NEW.version, NEW.updated_at, txid_current());
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER snapshots_history AFTER INSERT OR UPDATE ON snapshots
    FOR EACH ROW EXECUTE FUNCTION record_snapshot_change();

ALTER TABLE usage_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage_reports
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

ALTER TABLE metric_minutes ENABLE ROW LEVEL SECURITY;
ALTER TABLE metric_minutes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON metric_minutes
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

ALTER TABLE metric_hours ENABLE ROW LEVEL SECURITY;
ALTER TABLE metric_hours FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON metric_hours
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

ALTER TABLE usage_minutes ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_minutes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage_minutes
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

ALTER TABLE snapshot_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE snapshot_changes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON snapshot_changes
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

GRANT SELECT, INSERT, UPDATE, DELETE ON usage_reports, metric_minutes, metric_hours, usage_minutes, snapshot_changes TO trellis_app;
GRANT USAGE ON SEQUENCE snapshot_changes_id_seq TO trellis_app;

-- The roll-up and the report ledger's expiry work across tenants: this answers only which tenants
-- have rows older than a cutoff; the work itself runs in each tenant's transaction, under RLS again.
CREATE FUNCTION telemetry_tenants_before(cutoff timestamptz)
    RETURNS TABLE (tenant_id text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT DISTINCT tenant_id FROM metric_minutes WHERE bucket < cutoff
$$;
REVOKE ALL ON FUNCTION telemetry_tenants_before(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION telemetry_tenants_before(timestamptz) TO trellis_app;

CREATE FUNCTION telemetry_expire_reports(cutoff timestamptz)
    RETURNS bigint
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
    WITH gone AS (DELETE FROM usage_reports WHERE received_at < cutoff RETURNING 1) SELECT count(*) FROM gone
$$;
REVOKE ALL ON FUNCTION telemetry_expire_reports(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION telemetry_expire_reports(timestamptz) TO trellis_app;
