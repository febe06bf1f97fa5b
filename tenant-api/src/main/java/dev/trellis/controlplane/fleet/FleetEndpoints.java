package dev.trellis.controlplane.fleet;

import dev.trellis.controlplane.database.TenantTransactions;
import dev.trellis.controlplane.mesh.MeshNotFound;
import dev.trellis.controlplane.mesh.MeshResources;
import dev.trellis.controlplane.snapshot.MeshCompilation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Endpoints registered by proxies when they are ready: each change recompiles the mesh in the same
 * transaction, so callers' snapshots gain or lose the endpoint (and their polls wake). Re-registering
 * the same endpoint is the heartbeat (proxies send it every 2 s) and recompiles nothing; a proxy
 * silent for longer than the endpoint TTL ({@code trellis.fleet.endpoint-ttl}, 6 s; polls count as
 * heartbeats too) loses its endpoint to the sweeper (every {@code trellis.fleet.endpoint-sweep}, 1 s),
 * which waits {@code trellis.fleet.endpoint-grace} (30 s, at least one TTL) after this replica starts
 * so that a control plane outage does not empty the mesh. Likewise after a database outage: when
 * this replica's sweeps could not reach the database for longer than half a TTL (every heartbeat
 * meanwhile was refused, so every proxy looks silent), proxies get one TTL from the first sweep
 * that reached it again before anything is swept. An editor may also revoke a proxy ({@link #revoke}).
 */
@Service
class FleetEndpoints {
    /** How long a proxy may be silent before its endpoint leaves callers' snapshots, and it is listed as stale. */
    static final String DEFAULT_TTL = "6s";
    private static final Logger log = LoggerFactory.getLogger(FleetEndpoints.class);

    private final TenantTransactions transactions;
    private final MeshResources resources;
    private final MeshCompilation compilation;
    private final JdbcClient jdbc;
    private final Proxies proxies;
    private final Duration ttl;
    // After an outage every proxy looks silent; they get one TTL to poll again before any sweep.
    private volatile Instant sweepsFrom;
    /** When a sweep last read the database, or when this replica started. */
    private volatile Instant lastReached = Instant.now();

    FleetEndpoints(TenantTransactions transactions, MeshResources resources, MeshCompilation compilation, JdbcClient jdbc,
                   Proxies proxies,
                   @Value("${trellis.fleet.endpoint-ttl:" + DEFAULT_TTL + "}") Duration ttl,
                   @Value("${trellis.fleet.endpoint-grace:30s}") Duration grace) {
        this.transactions = transactions;
        this.resources = resources;
        this.compilation = compilation;
        this.jdbc = jdbc;
        this.proxies = proxies;
        this.ttl = ttl;
        this.sweepsFrom = Instant.now().plus(grace.compareTo(ttl) > 0 ? grace : ttl);
    }

    void register(FleetProxy proxy, String address, int port) {
        transactions.inTenant(proxy.tenantId(), () -> {
            Timestamp now = Timestamp.from(TenantTransactions.now());
            int unchanged = jdbc.sql("""
                            UPDATE proxies SET last_seen = ?
                            WHERE id = ? AND endpoint_address = ? AND endpoint_port = ?""")
                    .params(now, proxy.id(), address, port)
                    .update();
            if (unchanged == 1) return null;
            if (!resources.lockMesh(proxy.tenantId(), proxy.mesh())) throw new MeshNotFound(proxy.mesh());
            jdbc.sql("UPDATE proxies SET endpoint_address = ?, endpoint_port = ?, last_seen = ? WHERE id = ?")
                    .params(address, port, now, proxy.id())
                    .update();
            compilation.recompile(proxy.tenantId(), proxy.mesh(), false);
            return null;
        });
    }

    void deregister(FleetProxy proxy) {
        remove(proxy.tenantId(), proxy.mesh(), proxy.id());
    }

    /**
     * Revokes one proxy of the caller's mesh: its row goes, and with it its token (its next poll,
     * heartbeat and renewal answer 401) and its endpoint (callers' snapshots drop it in this
     * transaction). Answers the row as it was, or empty when the mesh has no such proxy.
     */
    Optional<Proxies.Listed> revoke(String tenantId, String mesh, String proxyId) {
        return transactions.inTenant(tenantId, () -> {
            if (!resources.lockMesh(tenantId, mesh)) throw new MeshNotFound(mesh);
            Optional<Proxies.Listed> before = proxies.find(tenantId, mesh, proxyId, ttl);
            if (before.isEmpty()) return before;
            proxies.delete(tenantId, mesh, proxyId);
            if (before.get().endpoint() != null) compilation.recompile(tenantId, mesh, false);
            return before;
        });
    }

    Duration ttl() {
        return ttl;
    }

    @Scheduled(fixedDelayString = "${trellis.fleet.endpoint-sweep:1s}")
    void sweep() {
        Instant cutoff = TenantTransactions.now().minus(ttl);
        record Expired(String id, String tenantId, String mesh) {
        }
        List<Expired> expired;
        try {
            expired = jdbc.sql("SELECT id, tenant_id, mesh FROM fleet_expired_endpoints(?)")
                    .param(Timestamp.from(cutoff))
                    .query((rs, n) -> new Expired(rs.getString(1), rs.getString(2), rs.getString(3)))
                    .list();
        } catch (DataAccessException e) {
            log.debug("endpoint sweep: the database is out of reach ({})", e.getMessage());
            return;
        }
        Instant reached = Instant.now();
        Duration unreached = Duration.between(lastReached, reached);
        lastReached = reached;
        if (unreached.compareTo(ttl.dividedBy(2)) > 0 && reached.plus(ttl).isAfter(sweepsFrom)) {
            log.warn("the database was out of reach for {} ms: no endpoint is swept for {} ms while proxies heartbeat again",
                    unreached.toMillis(), ttl.toMillis());
            sweepsFrom = reached.plus(ttl);
        }
        if (reached.isBefore(sweepsFrom)) return;
        for (Expired e : expired) {
            log.info("proxy {} of {}/{} missed its heartbeats: its endpoint is removed", e.id(), e.tenantId(), e.mesh());
            remove(e.tenantId(), e.mesh(), e.id());
        }
        // Removals take time that is not the database's absence.
        lastReached = Instant.now();
    }

    private void remove(String tenantId, String mesh, String proxyId) {
        transactions.inTenant(tenantId, () -> {
            if (!resources.lockMesh(tenantId, mesh)) return null;
            int removed = jdbc.sql("""
                            UPDATE proxies SET endpoint_address = NULL, endpoint_port = NULL
                            WHERE id = ? AND endpoint_address IS NOT NULL""")
                    .param(proxyId)
                    .update();
            if (removed == 1) compilation.recompile(tenantId, mesh, false);
            return null;
        });
    }
}
