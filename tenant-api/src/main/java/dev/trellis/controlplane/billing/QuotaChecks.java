package dev.trellis.controlplane.billing;

import dev.trellis.billing.Billing;
import dev.trellis.billing.Quota;
import dev.trellis.billing.QuotaExceeded;
import dev.trellis.controlplane.web.ApiViolation;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

/**
 * Where the plan's limits bite: called inside the write's or the registration's transaction, before
 * anything is created, so a refusal rolls all of it back. Counts are the tenant's, under its lock
 * (see {@link dev.trellis.billing.Quotas}). A proxy counts as connected while its certificate is valid
 * and it was seen within {@code trellis.billing.connected-window}; proxies already registered are
 * never refused anything by a quota.
 */
@Component
public class QuotaChecks {
    private final Billing billing;
    private final JdbcClient jdbc;
    private final Duration connectedWindow;

    QuotaChecks(Billing billing, JdbcClient jdbc, @Value("${trellis.billing.connected-window:2m}") Duration connectedWindow) {
        this.billing = billing;
        this.jdbc = jdbc;
        this.connectedWindow = connectedWindow;
    }

    /** What the tenant has now, of each thing its plan limits. */
    record Counts(long meshes, long services, long connectedProxies) {
    }

    /** @throws QuotaExceeded when one more mesh would exceed the plan */
    public void admitMesh(String tenantId) {
        billing.quotas().admitOne(tenantId, Quota.MESHES, () -> meshes(tenantId));
    }

    /** @throws QuotaExceeded when one more service (in any mesh of the tenant) would exceed the plan */
    public void admitService(String tenantId) {
        billing.quotas().admitOne(tenantId, Quota.SERVICES, () -> services(tenantId));
    }

    /** @throws QuotaExceeded when one more connected proxy would exceed the plan */
    public void admitProxy(String tenantId, Instant now) {
        billing.quotas().admitOne(tenantId, Quota.CONNECTED_PROXIES, () -> connectedProxies(tenantId, now));
    }

    /** How a dry run reports a refusal: one violation of the document as a whole. */
    public static ApiViolation violation(QuotaExceeded e) {
        return ApiViolation.at("", e.getMessage());
    }

    Counts counts(String tenantId, Instant now) {
        return new Counts(meshes(tenantId), services(tenantId), connectedProxies(tenantId, now));
    }

    private long meshes(String tenantId) {
        return jdbc.sql("SELECT count(*) FROM mesh_resources WHERE tenant_id = ? AND kind = 'meshes'")
                .param(tenantId).query(Long.class).single();
    }

    private long services(String tenantId) {
        return jdbc.sql("SELECT count(*) FROM mesh_resources WHERE tenant_id = ? AND kind = 'services'")
                .param(tenantId).query(Long.class).single();
    }

    private long connectedProxies(String tenantId, Instant now) {
        return jdbc.sql("SELECT count(*) FROM proxies WHERE tenant_id = ? AND not_after > ? AND last_seen >= ?")
                .params(tenantId, Timestamp.from(now), Timestamp.from(now.minus(connectedWindow)))
                .query(Long.class).single();
    }
}
