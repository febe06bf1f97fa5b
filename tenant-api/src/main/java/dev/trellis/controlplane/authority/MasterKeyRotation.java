package dev.trellis.controlplane.authority;

import dev.trellis.controlplane.database.TenantTransactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * After a master key rotation, seals again with the current key every mesh authority that a
 * previous key sealed (found by the key id stored beside it), tenant by tenant in the tenant's
 * transaction; soon after start and then every {@code trellis.master-key.reseal-interval}
 * (default 10m). Reading an authority re-seals it too, so this only reaches the meshes nobody uses.
 */
@Component
class MasterKeyRotation {
    private static final Logger log = LoggerFactory.getLogger(MasterKeyRotation.class);

    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final MeshAuthorities authorities;
    private final MasterKey masterKey;

    MasterKeyRotation(TenantTransactions transactions, JdbcTemplate jdbc, MeshAuthorities authorities, MasterKey masterKey) {
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.authorities = authorities;
        this.masterKey = masterKey;
    }

    @Scheduled(initialDelayString = "${trellis.master-key.reseal-delay:5s}", fixedDelayString = "${trellis.master-key.reseal-interval:10m}")
    void run() {
        try {
            int resealed = resealAll();
            if (resealed > 0) log.info("sealed {} mesh authorities again with master key {}", resealed, masterKey.id());
        } catch (RuntimeException e) {
            log.warn("re-sealing with the current master key failed; the next run retries: {}", e.toString());
        }
    }

    /** Answers how many authorities were sealed again. */
    int resealAll() {
        List<String> tenants = jdbc.queryForList("SELECT tenant_id FROM authority_tenants_sealed_other_than(?)", String.class, masterKey.id());
        int resealed = 0;
        for (String tenant : tenants) resealed += transactions.inTenant(tenant, () -> authorities.reseal(tenant, TenantTransactions.now()));
        return resealed;
    }
}
