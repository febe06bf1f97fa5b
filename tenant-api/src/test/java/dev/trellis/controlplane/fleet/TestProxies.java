package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.access.MintedCredential;
import dev.trellis.controlplane.database.TenantTransactions;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.sql.Timestamp;
import java.time.Instant;

/** Proxies stored as registration stores them (service web of mesh shop), without a CSR round trip. */
final class TestProxies {
    private TestProxies() {
    }

    static MintedCredential insert(TenantTransactions transactions, JdbcClient jdbc, String tenantId, Instant notAfter) {
        MintedCredential credential = MintedCredential.mint(Proxies.KIND);
        Timestamp now = Timestamp.from(TenantTransactions.now());
        transactions.inTenant(tenantId, () -> jdbc.sql("""
                        INSERT INTO proxies (id, tenant_id, mesh, service, version, secret_hash, fingerprint, not_after,
                                             registered_at, last_seen)
                        VALUES (?, ?, 'shop', 'web', 'v1', ?, 'test', ?, ?, ?)""")
                .params(credential.id(), tenantId, credential.hash(), Timestamp.from(notAfter), now, now)
                .update());
        return credential;
    }
}
