package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.database.TenantTransactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.util.Map;

/**
 * Right after a wake-up answered its polls, verifies those proxies' tokens against the database in
 * one query and keeps them in {@link RecentProxyTokens}: each proxy reports the new snapshot within
 * moments, and its poll began up to a hold time ago, so without this every report of the fan-out
 * would read the database on its own. A token that no longer matches is simply not kept.
 */
@Component
class WokenProxyTokens {
    private static final Logger log = LoggerFactory.getLogger(WokenProxyTokens.class);

    private final TenantTransactions transactions;
    private final Proxies proxies;
    private final RecentProxyTokens recent;

    WokenProxyTokens(TenantTransactions transactions, Proxies proxies, RecentProxyTokens recent) {
        this.transactions = transactions;
        this.proxies = proxies;
        this.recent = recent;
    }

    /** {@code tokenByProxyId}: the woken proxies of one tenant, each with the token its poll presented. */
    void verify(String tenantId, Map<String, String> tokenByProxyId) {
        if (tokenByProxyId.isEmpty() || !recent.enabled()) return;
        try {
            transactions.inTenant(tenantId, () -> proxies.authenticate(tokenByProxyId, TenantTransactions.now()))
                    .forEach(verified -> recent.remember(tokenByProxyId.get(verified.proxy().id()), verified));
        } catch (RuntimeException e) {
            // Only a shortcut: each report then verifies its own token.
            log.debug("could not verify the tokens of woken proxies ahead: {}", e.toString());
        }
    }
}
