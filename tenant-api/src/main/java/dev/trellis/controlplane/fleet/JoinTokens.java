package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.access.MintedCredential;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;

/** The join_tokens table: short-lived credentials that let one workload's proxy register, stored hashed. */
@Repository
class JoinTokens {
    static final String KIND = "trj";
    private final JdbcClient jdbc;

    JoinTokens(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Mints and stores a token; the plain text is returned once. Runs inside the tenant's transaction. */
    String mint(String tenantId, String mesh, String service, String version, String createdBy, Instant now, Instant expiresAt) {
        MintedCredential credential = MintedCredential.mint(KIND);
        jdbc.sql("""
                        INSERT INTO join_tokens (id, tenant_id, mesh, service, version, secret_hash, created_by, created_at, expires_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(credential.id(), tenantId, mesh, service, version, credential.hash(), createdBy,
                        Timestamp.from(now), Timestamp.from(expiresAt))
                .update();
        return credential.token();
    }
}
