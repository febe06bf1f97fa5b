-- Key rotation (docs/operations.md, "Key rotation"). Expand only: every column is nullable and the
-- previous release, which neither reads nor writes them, keeps working during a rolling upgrade.
--   sealed_with: the id of the master key that sealed sealed_key and next_sealed_key (NULL: sealed
--     before this migration, by the key of that time); what the re-seal after a master key
--     rotation looks for.
--   next_certificate, next_sealed_key: a new root, trusted but not signing yet, from
--     rotation_started_at until rotation_started_at + rotation_overlap; then it signs and the old
--     root stays trusted as retired_certificate until rotation_started_at + 2 × rotation_overlap.
ALTER TABLE mesh_authorities
    ADD COLUMN sealed_with          text,
    ADD COLUMN next_certificate     text,
    ADD COLUMN next_sealed_key      bytea,
    ADD COLUMN retired_certificate  text,
    ADD COLUMN rotation_started_at  timestamptz,
    ADD COLUMN rotation_overlap     interval;

-- The re-seal works across tenants: this answers only which tenants have authorities sealed with
-- another key than the current one; the re-seal itself runs in each tenant's transaction, under RLS.
CREATE FUNCTION authority_tenants_sealed_other_than(key_id text)
    RETURNS TABLE (tenant_id text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT DISTINCT tenant_id FROM mesh_authorities WHERE sealed_with IS DISTINCT FROM key_id
$$;
REVOKE ALL ON FUNCTION authority_tenants_sealed_other_than(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION authority_tenants_sealed_other_than(text) TO trellis_app;
