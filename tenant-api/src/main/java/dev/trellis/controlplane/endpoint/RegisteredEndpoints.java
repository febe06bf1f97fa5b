package dev.trellis.controlplane.endpoint;

import dev.trellis.compiler.RegisteredEndpoint;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.List;

/**
 * The endpoints proxies registered for their service and version (address and inbound port), the
 * compiler's {@code registeredEndpoints}. Kept apart from the fleet, which writes them, so that
 * compilation can read them without depending on the fleet.
 */
@Repository
public class RegisteredEndpoints {
    private final JdbcClient jdbc;

    RegisteredEndpoints(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Runs inside the tenant's transaction. */
    public List<RegisteredEndpoint> of(String tenantId, String mesh) {
        return jdbc.sql("""
                        SELECT service, version, endpoint_address, endpoint_port FROM proxies
                        WHERE tenant_id = ? AND mesh = ? AND endpoint_address IS NOT NULL
                        ORDER BY service, endpoint_address, endpoint_port""")
                .params(tenantId, mesh)
                .query((rs, n) -> new RegisteredEndpoint(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4)))
                .list();
    }
}
