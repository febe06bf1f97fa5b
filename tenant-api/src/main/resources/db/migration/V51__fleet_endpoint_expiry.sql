-- Endpoints whose proxy stopped polling: found across tenants by the sweeper, which has no tenant
-- of its own. The function runs as its owner (the migration role, which row-level security does
-- not bind) and answers only ids, tenants and meshes; the sweeper then works in each tenant's
-- transaction, under row-level security again.
CREATE FUNCTION fleet_expired_endpoints(cutoff timestamptz)
    RETURNS TABLE (id text, tenant_id text, mesh text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT id, tenant_id, mesh FROM proxies WHERE endpoint_address IS NOT NULL AND last_seen < cutoff
$$;
REVOKE ALL ON FUNCTION fleet_expired_endpoints(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fleet_expired_endpoints(timestamptz) TO trellis_app;
