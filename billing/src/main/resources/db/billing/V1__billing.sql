-- Billing's own schema, migrated by its own Flyway history (billing_schema_history), so its versions
-- never collide with the control plane's. Tenant rows carry tenant_id and are guarded by row-level
-- security keyed on the per-transaction setting trellis.tenant_id, forced even for the owner, as in
-- the control plane's tables. The plan catalogue is public data and has no tenant.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'trellis_app') THEN
        CREATE ROLE trellis_app LOGIN;
    END IF;
END
$$;

-- A plan version is immutable: a price or limit change is a new version. NULL limits are "custom"
-- (set per tenant by the operator, as for enterprise). Prices are integers in the currency's minor unit.
CREATE TABLE billing_plans (
    id                      text NOT NULL,
    version                 integer NOT NULL CHECK (version > 0),
    name                    text NOT NULL,
    currency                char(3) NOT NULL,
    base_minor              bigint NOT NULL CHECK (base_minor >= 0),
    endpoint_hour_minor     bigint NOT NULL CHECK (endpoint_hour_minor >= 0),
    endpoint_hours_included bigint NOT NULL CHECK (endpoint_hours_included >= 0),
    million_requests_minor  bigint NOT NULL CHECK (million_requests_minor >= 0),
    requests_included       bigint NOT NULL CHECK (requests_included >= 0),
    mesh_minor              bigint NOT NULL CHECK (mesh_minor >= 0),
    meshes_included         bigint NOT NULL CHECK (meshes_included >= 0),
    max_meshes              integer CHECK (max_meshes >= 0),
    max_services            integer CHECK (max_services >= 0),
    max_proxies             integer CHECK (max_proxies >= 0),
    self_service            boolean NOT NULL,
    published_at            timestamptz NOT NULL,
    PRIMARY KEY (id, version)
);

INSERT INTO billing_plans VALUES
    ('free',       1, 'Free',       'USD',      0,  0, 0,    0,       0, 0, 0,   3,   20,   10, true,  '2026-01-01T00:00:00Z'),
    ('team',       1, 'Team',       'USD',   4900,  4, 750, 20, 10000000, 1000, 3, 25, 500,  250, true,  '2026-01-01T00:00:00Z'),
    ('enterprise', 1, 'Enterprise', 'USD', 250000,  3, 5000, 15, 100000000, 500, 10, NULL, NULL, NULL, false, '2026-01-01T00:00:00Z'),
    ('team-jp',    1, 'Team (JPY)', 'JPY',   7500,  6, 750, 30, 10000000, 1500, 3, 25, 500,  250, true,  '2026-01-01T00:00:00Z');

-- Which plan version a tenant is on from a stated instant; the custom limits override the plan's.
CREATE TABLE billing_subscriptions (
    tenant_id      text NOT NULL,
    effective_from timestamptz NOT NULL,
    plan_id        text NOT NULL,
    plan_version   integer NOT NULL,
    max_meshes     integer CHECK (max_meshes >= 0),
    max_services   integer CHECK (max_services >= 0),
    max_proxies    integer CHECK (max_proxies >= 0),
    set_by         text NOT NULL,
    set_at         timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, effective_from),
    FOREIGN KEY (plan_id, plan_version) REFERENCES billing_plans (id, version)
);

-- One row per accepted report; the key is the proxy's (id, sequence), so a resend, a retry to another
-- replica or a duplicate inserts nothing. period is the UTC calendar month of event_time.
CREATE TABLE billing_usage_reports (
    proxy_id      text NOT NULL,
    sequence      bigint NOT NULL CHECK (sequence >= 0),
    tenant_id     text NOT NULL,
    mesh          text NOT NULL,
    event_time    timestamptz NOT NULL,
    period        date NOT NULL,
    proxy_seconds bigint NOT NULL CHECK (proxy_seconds >= 0),
    requests      bigint NOT NULL CHECK (requests >= 0),
    received_at   timestamptz NOT NULL,
    PRIMARY KEY (proxy_id, sequence)
);
CREATE INDEX billing_usage_reports_tenant_time ON billing_usage_reports (tenant_id, event_time);

-- Reports that came after their period closed: refused, but counted once each, so they can be seen.
CREATE TABLE billing_late_usage_reports (
    proxy_id      text NOT NULL,
    sequence      bigint NOT NULL,
    tenant_id     text NOT NULL,
    mesh          text NOT NULL,
    event_time    timestamptz NOT NULL,
    period        date NOT NULL,
    proxy_seconds bigint NOT NULL,
    requests      bigint NOT NULL,
    received_at   timestamptz NOT NULL,
    PRIMARY KEY (proxy_id, sequence)
);
CREATE INDEX billing_late_usage_reports_tenant ON billing_late_usage_reports (tenant_id, period);

-- The lock that orders ingestion against finalisation: a report takes it FOR SHARE, finalisation FOR
-- UPDATE, so a report is either in the invoice or refused as late, never lost between the two.
CREATE TABLE billing_periods (
    tenant_id    text NOT NULL,
    period       date NOT NULL,
    finalized_at timestamptz,
    PRIMARY KEY (tenant_id, period)
);

-- Only finalised invoices are stored (a draft is computed from usage on demand). Never updated or deleted.
CREATE TABLE invoices (
    id           text PRIMARY KEY,
    tenant_id    text NOT NULL,
    period       date NOT NULL,
    currency     char(3) NOT NULL,
    total_minor  bigint NOT NULL,
    content_hash text NOT NULL,
    finalized_at timestamptz NOT NULL,
    UNIQUE (tenant_id, period)
);

CREATE TABLE invoice_lines (
    invoice_id       text NOT NULL REFERENCES invoices (id),
    line_no          integer NOT NULL,
    tenant_id        text NOT NULL,
    meter            text NOT NULL,
    plan_id          text NOT NULL,
    plan_version     integer NOT NULL,
    from_time        timestamptz NOT NULL,
    to_time          timestamptz NOT NULL,
    quantity         bigint NOT NULL,
    included         bigint NOT NULL,
    billable         bigint NOT NULL,
    unit_price_minor bigint NOT NULL,
    amount_minor     bigint NOT NULL,
    PRIMARY KEY (invoice_id, line_no)
);

-- A correction to a finalised invoice: a credit note referring to it, never an edit.
CREATE TABLE credit_notes (
    id           text PRIMARY KEY,
    tenant_id    text NOT NULL,
    invoice_id   text NOT NULL REFERENCES invoices (id),
    amount_minor bigint NOT NULL CHECK (amount_minor > 0),
    reason       text NOT NULL,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL
);

CREATE FUNCTION billing_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'finalised invoices are immutable: issue a credit note instead';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER invoices_immutable BEFORE UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_change();
CREATE TRIGGER invoice_lines_immutable BEFORE UPDATE OR DELETE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_change();

ALTER TABLE billing_subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_subscriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_subscriptions
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));
ALTER TABLE billing_usage_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_usage_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_usage_reports
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));
ALTER TABLE billing_late_usage_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_late_usage_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_late_usage_reports
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));
ALTER TABLE billing_periods ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_periods FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_periods
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));
ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoices FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invoices
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));
ALTER TABLE invoice_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoice_lines FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invoice_lines
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));
ALTER TABLE credit_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE credit_notes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON credit_notes
    USING (tenant_id = current_setting('trellis.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('trellis.tenant_id', true));

-- The operator's cross-tenant views (which tenants have usage in a window; which periods are still
-- open) run as their owner, which row-level security does not bind, and answer only ids and totals;
-- the work per tenant is then done in that tenant's transaction, under row-level security again.
CREATE FUNCTION billing_usage_by_tenant(from_time timestamptz, to_time timestamptz)
    RETURNS TABLE (tenant_id text, proxy_seconds bigint, requests bigint, meshes bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT tenant_id, sum(proxy_seconds)::bigint, sum(requests)::bigint, count(DISTINCT mesh)
    FROM billing_usage_reports WHERE event_time >= from_time AND event_time < to_time
    GROUP BY tenant_id ORDER BY tenant_id
$$;
CREATE FUNCTION billing_unfinalized_tenants(for_period date)
    RETURNS TABLE (tenant_id text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT DISTINCT u.tenant_id FROM billing_usage_reports u
    WHERE u.period = for_period
      AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.tenant_id = u.tenant_id AND i.period = for_period)
    UNION
    SELECT DISTINCT s.tenant_id FROM billing_subscriptions s
    WHERE s.effective_from < (for_period + interval '1 month')
      AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.tenant_id = s.tenant_id AND i.period = for_period)
    ORDER BY 1
$$;
REVOKE ALL ON FUNCTION billing_usage_by_tenant(timestamptz, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION billing_unfinalized_tenants(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing_usage_by_tenant(timestamptz, timestamptz) TO trellis_app;
GRANT EXECUTE ON FUNCTION billing_unfinalized_tenants(date) TO trellis_app;

GRANT SELECT ON billing_plans TO trellis_app;
GRANT SELECT, INSERT ON billing_subscriptions, billing_usage_reports, billing_late_usage_reports, invoices, invoice_lines,
    credit_notes TO trellis_app;
GRANT SELECT, INSERT, UPDATE ON billing_periods TO trellis_app;
-- Only changes scheduled for later than a new one are deleted (never one in a closed period: see PlanChanges).
GRANT DELETE ON billing_subscriptions TO trellis_app;
