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
            java.util.List<String> tenantTables = new java.util.ArrayList<>();
            try (ResultSet rs = sql.executeQuery("""
                    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'public' AND c.relkind = 'r'
                      AND (c.relname = 'tenants' OR EXISTS (SELECT 1 FROM pg_attribute a
                           WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))""")) {
                while (rs.next()) tenantTables.add(rs.getString(1));
            }
            assertThat(tenantTables).contains("tenants", "api_keys", "members", "audit_events", "meshes",
                    "mesh_resources", "snapshots", "join_tokens");
            // Every table that holds tenant rows, including ones added later, has forced row-level security...
            assertThat(count(sql, "SELECT count(*) FROM pg_class WHERE relname = ANY(ARRAY['"
                    + String.join("','", tenantTables) + "']) AND NOT (relrowsecurity AND relforcerowsecurity)")).isZero();
            // ...and shows nothing to a query that forgets its tenant.
            for (String table : tenantTables) {
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
