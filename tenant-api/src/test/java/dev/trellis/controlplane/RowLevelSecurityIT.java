package dev.trellis.controlplane;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The second wall: SQL that forgets its tenant filter, run on the application's own connection
 * pool (role trellis_app), still sees only the tenant set for the transaction, and none without.
 */
class RowLevelSecurityIT extends ControlPlaneIT {
    @Autowired
    DataSource dataSource;

    @Test
    void aQueryWithoutTenantFilterSeesNoOtherTenantsRows() throws Exception {
        String a = newTenant();
        String b = newTenant();
        declareShop(a);
        declareShop(b);
        String tenantA = api.get("/v1/tenant", a).json().get("id").asString();
        try (Connection connection = dataSource.getConnection(); Statement sql = connection.createStatement()) {
            connection.setAutoCommit(false);
            for (String table : new String[]{"tenants", "api_keys", "meshes", "mesh_resources", "snapshots", "audit_events", "join_tokens", "members"}) {
                assertThat(count(sql, "SELECT count(*) FROM " + table)).as(table + " without a tenant").isZero();
            }
            sql.execute("SELECT set_config('trellis.tenant_id', '" + tenantA + "', true)");
            assertThat(count(sql, "SELECT count(*) FROM mesh_resources")).isEqualTo(4);
            assertThat(count(sql, "SELECT count(DISTINCT tenant_id) FROM mesh_resources")).isEqualTo(1);
            assertThat(count(sql, "SELECT count(*) FROM tenants")).isEqualTo(1);
            assertThat(count(sql, "SELECT count(*) FROM mesh_resources WHERE tenant_id <> '" + tenantA + "'")).isZero();
            // Writing a row for another tenant is refused by the policy's WITH CHECK.
            boolean refused = false;
            try {
                sql.execute("UPDATE mesh_resources SET tenant_id = 'someone-else'");
            } catch (java.sql.SQLException e) {
                refused = true;
            }
            assertThat(refused).isTrue();
            connection.rollback();
            assertThat(count(sql, "SELECT count(*) FROM mesh_resources")).as("the setting ends with its transaction").isZero();
            connection.rollback();
            assertThat(count(sql, "SELECT count(*) FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolbypassrls)")).isZero();
            connection.rollback();
        }
    }

    private static long count(Statement sql, String query) throws Exception {
        try (ResultSet rs = sql.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
