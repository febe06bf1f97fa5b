-- Portal sessions (Spring Session JDBC), shared by every control-plane replica: a person signed in
-- through one replica is signed in on all of them, and stays signed in across restarts.
-- The browser's cookie holds the session id; the table holds only its SHA-256 (portal_session_key),
-- so a read of the database yields no usable cookie. A session is found by that secret alone, before
-- any tenant is known (the tenant it works in is one of its attributes), and the expiry sweep deletes
-- every tenant's expired sessions: the table has no tenant_id and no row-level security, like the
-- lookup of an API key by its id, and no tenant-scoped query ever reads it.
CREATE FUNCTION portal_session_key(session_id text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT encode(sha256(convert_to(session_id, 'UTF8')), 'hex') $$;

CREATE TABLE portal_session (
    primary_id            char(36) PRIMARY KEY,
    session_key           char(64) NOT NULL UNIQUE,
    creation_time         bigint NOT NULL,
    last_access_time      bigint NOT NULL,
    max_inactive_interval int NOT NULL,
    expiry_time           bigint NOT NULL,
    principal_name        varchar(200)
);
CREATE INDEX portal_session_expiry ON portal_session (expiry_time);
CREATE INDEX portal_session_principal ON portal_session (principal_name);

CREATE TABLE portal_session_attributes (
    session_primary_id char(36) NOT NULL REFERENCES portal_session (primary_id) ON DELETE CASCADE,
    attribute_name     varchar(200) NOT NULL,
    attribute_bytes    bytea NOT NULL,
    PRIMARY KEY (session_primary_id, attribute_name)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON portal_session, portal_session_attributes TO trellis_app;
GRANT EXECUTE ON FUNCTION portal_session_key(text) TO trellis_app;
