-- The summary (metrics/summary, and the portal's service table) reads every inbound bucket of a mesh over a
-- range; with only (tenant_id, mesh, bucket) to go by, that read every outbound row of the range too
-- (twenty per inbound one in a mesh whose proxies call twenty routes): a one-hour summary of a
-- 300-service mesh scanned 400,000 rows for 18,000. A partial index keeps to the inbound ones; only
-- inbound rows pay to maintain it.
CREATE INDEX metric_minutes_inbound ON metric_minutes (tenant_id, mesh, bucket) WHERE direction = 'inbound';
CREATE INDEX metric_hours_inbound ON metric_hours (tenant_id, mesh, bucket) WHERE direction = 'inbound';
