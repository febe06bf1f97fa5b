package dev.trellis.controlplane.tenant;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.util.Optional;

/** The tenants table; callers run inside {@link TenantTransactions} for the tenant concerned. */
@Repository
public class Tenants {
    private final JdbcClient jdbc;

    Tenants(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(Tenant tenant) {
        jdbc.sql("INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)")
                .params(tenant.id(), tenant.name(), Timestamp.from(tenant.createdAt()))
                .update();
    }

    public Optional<Tenant> find(String id) {
        return jdbc.sql("SELECT id, name, created_at FROM tenants WHERE id = ?")
                .param(id)
                .query((rs, n) -> new Tenant(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()))
                .optional();
    }
}
