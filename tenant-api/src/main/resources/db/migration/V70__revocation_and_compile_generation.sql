-- Issue 11. Compile generation: a random value stored with every recompilation of a mesh, so a
-- replica knows whether the compiled mesh it keeps in memory is the current one.
ALTER TABLE meshes ADD COLUMN IF NOT EXISTS compiled_generation text;

-- Revocation: a proxy whose service or mesh was deleted, and a join token revoked before use.
-- A revoked proxy's token no longer authenticates (so no poll, report or renewal), and its
-- endpoint is gone from every snapshot.
ALTER TABLE proxies ADD COLUMN IF NOT EXISTS revoked_at timestamptz;
ALTER TABLE join_tokens ADD COLUMN IF NOT EXISTS revoked_at timestamptz;
CREATE INDEX IF NOT EXISTS join_tokens_service ON join_tokens (tenant_id, mesh, service) WHERE used_at IS NULL;

-- Audit event ids that say nothing about other tenants: a UUID whose first 48 bits are the
-- event's millisecond (so ids sort by time, as lists and cursors need) and the rest random,
-- laid out as UUID version 7. The global sequence stays as the row's internal key, never shown.
ALTER TABLE audit_events ADD COLUMN event_id text;
UPDATE audit_events e SET event_id = numbered.event_id
FROM (SELECT id,
             lpad(to_hex((extract(epoch FROM at) * 1000)::bigint), 12, '0') AS millis,
             lpad(to_hex((row_number() OVER (PARTITION BY tenant_id ORDER BY id) % 4096)::int), 3, '0') AS counter,
             md5(random()::text || clock_timestamp()::text) AS noise
      FROM audit_events) AS raw
CROSS JOIN LATERAL (SELECT substr(raw.millis, 1, 8) || '-' || substr(raw.millis, 9, 4) || '-7' || raw.counter || '-'
                               || '8' || substr(raw.noise, 1, 3) || '-' || substr(raw.noise, 4, 12) AS event_id) AS numbered
WHERE e.id = raw.id;
ALTER TABLE audit_events ALTER COLUMN event_id SET NOT NULL;
CREATE UNIQUE INDEX audit_events_tenant_event ON audit_events (tenant_id, event_id DESC);
