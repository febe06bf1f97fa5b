-- Hour buckets expire too (trellis.telemetry.hour-retention): the roll-up deletes every hour row
-- older than the cutoff, across tenants, through this function (as telemetry_expire_reports does
-- for the report keys); the index keeps that delete from scanning every tenant's hours.
CREATE INDEX metric_hours_bucket ON metric_hours (bucket);

CREATE FUNCTION telemetry_expire_hours(cutoff timestamptz)
    RETURNS bigint
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
    WITH gone AS (DELETE FROM metric_hours WHERE bucket < cutoff RETURNING 1) SELECT count(*) FROM gone
$$;
REVOKE ALL ON FUNCTION telemetry_expire_hours(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION telemetry_expire_hours(timestamptz) TO trellis_app;
