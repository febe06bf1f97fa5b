package dev.trellis.controlplane.injection;

import dev.trellis.controlplane.access.MintedCredential;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/** The injector_secrets table: the secret each webhook URL carries, stored hashed, one per injector. */
@Repository
class InjectorSecrets {
    static final String KIND = "tri";
    private final JdbcClient jdbc;

    InjectorSecrets(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A new secret for the injector, replacing any old one (which stops working at once); the plain text is returned once. */
    String mint(String tenantId, String mesh, String injector, Instant now) {
        delete(tenantId, mesh, injector);
        MintedCredential credential = MintedCredential.mint(KIND);
        jdbc.sql("INSERT INTO injector_secrets (id, tenant_id, mesh, injector, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)")
                .params(credential.id(), tenantId, mesh, injector, credential.hash(), Timestamp.from(now))
                .update();
        return credential.token();
    }

    void delete(String tenantId, String mesh, String injector) {
        jdbc.sql("DELETE FROM injector_secrets WHERE tenant_id = ? AND mesh = ? AND injector = ?")
                .params(tenantId, mesh, injector)
                .update();
    }

    /** Which injector a presented secret belongs to. */
    record Owner(String tenantId, String mesh, String injector) {
    }

    /**
     * The injector of a genuine secret. Runs in a transaction whose {@code trellis.injector_secret_id}
     * names the secret's id (the tenant is not known yet).
     */
    Optional<Owner> owner(String secret) {
        Optional<String> id = MintedCredential.idOf(KIND, secret);
        if (id.isEmpty()) return Optional.empty();
        record Row(Owner owner, byte[] hash) {
        }
        return jdbc.sql("SELECT tenant_id, mesh, injector, secret_hash FROM injector_secrets WHERE id = ?")
                .param(id.get())
                .query((rs, n) -> new Row(new Owner(rs.getString(1), rs.getString(2), rs.getString(3)), rs.getBytes(4)))
                .optional()
                .filter(row -> MintedCredential.matches(secret, row.hash()))
                .map(Row::owner);
    }
}
