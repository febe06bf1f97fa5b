-- gRPC calls by grpc-status (docs/telemetry.md, "gRPC"): per bucket, an array of 17 counts indexed by
-- code + 1 (OK … UNAUTHENTICATED), empty for a bucket that carried no gRPC call. Only calls answered
-- below HTTP 500 are counted here (a 5xx is a failure by its status class already). Expand-only:
-- a replica of the previous release writes the default and reads past the column.
ALTER TABLE metric_minutes ADD COLUMN grpc_statuses bigint[] NOT NULL DEFAULT '{}';
ALTER TABLE metric_hours ADD COLUMN grpc_statuses bigint[] NOT NULL DEFAULT '{}';

-- Element-wise sum of two count arrays of any lengths (a missing element counts as 0).
CREATE FUNCTION telemetry_add_counts(a bigint[], b bigint[]) RETURNS bigint[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(coalesce(a[i], 0) + coalesce(b[i], 0) ORDER BY i), '{}')
    FROM generate_series(1, greatest(coalesce(array_length(a, 1), 0), coalesce(array_length(b, 1), 0))) AS i
$$;
GRANT EXECUTE ON FUNCTION telemetry_add_counts(bigint[], bigint[]) TO trellis_app;
