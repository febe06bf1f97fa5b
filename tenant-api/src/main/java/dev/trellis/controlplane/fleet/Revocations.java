package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.mesh.MeshDeleted;
import dev.trellis.controlplane.mesh.ServiceDeleted;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.time.Instant;
import java.util.List;

/**
 * Credentials die with what they belong to. Deleting a service revokes its proxies (token,
 * certificate renewal, endpoint) and its unused join tokens in the deleting transaction, so a
 * service created again under the same name gets none of them back; deleting a mesh takes its
 * proxies' rows with it. Once committed, this replica forgets their verified tokens and ends their
 * held polls; other replicas stop trusting them within {@code trellis.fleet.token-cache}.
 */
@Component
class Revocations {
    private static final Logger log = LoggerFactory.getLogger(Revocations.class);

    private final Proxies proxies;
    private final JoinTokens joinTokens;
    private final RecentProxyTokens recent;
    private final ConfigLongPoll polls;

    Revocations(Proxies proxies, JoinTokens joinTokens, RecentProxyTokens recent, ConfigLongPoll polls) {
        this.proxies = proxies;
        this.joinTokens = joinTokens;
        this.recent = recent;
        this.polls = polls;
    }

    @EventListener
    void serviceDeleted(ServiceDeleted deleted) {
        Instant now = TenantTransactions.now();
        List<String> revoked = proxies.revokeService(deleted.tenantId(), deleted.mesh(), deleted.service(), now);
        joinTokens.revokeService(deleted.tenantId(), deleted.mesh(), deleted.service(), now);
        afterCommit(revoked);
    }

    @EventListener
    void meshDeleted(MeshDeleted deleted) {
        afterCommit(proxies.ofMesh(deleted.tenantId(), deleted.mesh()));
    }

    private void afterCommit(List<String> proxyIds) {
        if (proxyIds.isEmpty() || !TransactionSynchronizationManager.isSynchronizationActive()) return;
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                try {
                    proxyIds.forEach(recent::forget);
                    polls.revoked(proxyIds);
                } catch (RuntimeException e) {
                    // The revocation is committed; this replica's token cache still expires on its own.
                    log.warn("Ending the polls of revoked proxies failed: {}", e.toString());
                }
            }
        });
    }
}
