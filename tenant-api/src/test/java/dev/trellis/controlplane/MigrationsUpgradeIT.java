package dev.trellis.controlplane;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The expand/contract rule of docs/operations.md, checked: a database at the previous release's
 * schema, written by the previous release's statements, takes the new migrations (as the first
 * replica of the new release runs them during a rolling upgrade) and then still holds the same
 * data, and the previous release's statements still run on it, as a replica of the previous
 * release does until it is replaced.
 */
@Timeout(180)
class MigrationsUpgradeIT {
    /** The schema version of the previous release (commit 901a510); bump it when a release is cut. */
    static final String PREVIOUS_RELEASE = "90";
    /** Tables the previous release's statements write, with the column that names the tenant. */
    static final Map<String, String> TABLES = Map.of("tenants", "id", "meshes", "tenant_id", "mesh_resources", "tenant_id",
            "snapshots", "tenant_id", "mesh_authorities", "tenant_id", "proxies", "tenant_id");

    @TempDir
    Path data;

    @Test
    void thePreviousReleasesDataAndStatementsSurviveTheNewMigrations() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(true).start()) {
            String url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
            var previous = flyway(url).target(MigrationVersion.fromVersion(PREVIOUS_RELEASE)).load().migrate();
            assertThat(previous.targetSchemaVersion).isEqualTo(PREVIOUS_RELEASE);

            List<String> before = previousRelease(url, "t-before");
            assertThat(before).as("every read of the previous release finds its row").doesNotContain("(no rows)");
            Map<String, List<String>> columns = columns(url);
            Map<String, List<String>> rows = rows(url, columns, "t-before");

            var upgrade = flyway(url).load().migrate();
            System.out.println("migrations after the previous release (" + PREVIOUS_RELEASE + "): " + upgrade.migrationsExecuted
                    + ", now at " + upgrade.targetSchemaVersion);

            // Expand only: every column the previous release knew is still there, and its rows are unchanged.
            Map<String, List<String>> columnsAfter = columns(url);
            columns.forEach((table, names) -> assertThat(columnsAfter.get(table)).as(table).containsAll(names));
            assertThat(rows(url, columns, "t-before")).isEqualTo(rows);
            // A previous-release replica still writes and reads, for a new tenant and for its old rows.
            assertThat(previousRelease(url, "t-during")).isEqualTo(before.stream().map(r -> r.replace("t-before", "t-during")).toList());
            assertThat(rows(url, columns, "t-during")).hasSameSizeAs(rows);
        }
    }

    @Test
    void aMigrationThatRenamesAColumnThePreviousReleaseWritesIsCaught() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(true).start()) {
            String url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
            flyway(url).target(MigrationVersion.fromVersion(PREVIOUS_RELEASE)).load().migrate();
            previousRelease(url, "t-before");
            Map<String, List<String>> columns = columns(url);
            flyway(url).locations("classpath:db/migration", "classpath:migrations/contracting").load().migrate();
            assertThat(columns(url).get("proxies")).doesNotContainAnyElementsOf(List.of("fingerprint"));
            assertThatThrownBy(() -> previousRelease(url, "t-during")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("fingerprint");
            assertThat(columns.get("proxies")).contains("fingerprint");
        }
    }

    private static org.flywaydb.core.api.configuration.FluentConfiguration flyway(String url) {
        return Flyway.configure().dataSource(url, "postgres", "").locations("classpath:db/migration");
    }

    /** Runs the previous release's statements as trellis_app in the tenant's transaction; answers what the reads read. */
    private static List<String> previousRelease(String url, String tenant) throws IOException, SQLException {
        String script;
        try (InputStream in = MigrationsUpgradeIT.class.getResourceAsStream("/migrations/previous-release.sql")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> read = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(url, "trellis_app", "")) {
            connection.setAutoCommit(false);
            try (var setting = connection.prepareStatement("SELECT set_config('trellis.tenant_id', ?, true)")) {
                setting.setString(1, tenant);
                setting.execute();
            }
            for (String sql : statements(script)) {
                try (Statement statement = connection.createStatement()) {
                    if (statement.execute(sql.replace("${tenant}", tenant))) {
                        try (ResultSet rs = statement.getResultSet()) {
                            String text = text(rs);
                            read.add(text.isEmpty() ? "(no rows)" : text);
                        }
                    }
                }
            }
            connection.commit();
        }
        return read;
    }

    private static List<String> statements(String script) {
        StringBuilder code = new StringBuilder();
        script.lines().filter(line -> !line.startsWith("--")).forEach(line -> code.append(line).append('\n'));
        return List.of(code.toString().split(";\n")).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static Map<String, List<String>> columns(String url) throws SQLException {
        Map<String, List<String>> columns = new LinkedHashMap<>();
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
             var query = connection.prepareStatement("SELECT column_name FROM information_schema.columns "
                     + "WHERE table_schema = 'public' AND table_name = ? ORDER BY ordinal_position")) {
            for (String table : TABLES.keySet().stream().sorted().toList()) {
                query.setString(1, table);
                List<String> names = new ArrayList<>();
                try (ResultSet rs = query.executeQuery()) {
                    while (rs.next()) names.add(rs.getString(1));
                }
                columns.put(table, names);
            }
        }
        return columns;
    }

    /** The tenant's rows of each table, in the previous release's columns only (as the owner, past row-level security). */
    private static Map<String, List<String>> rows(String url, Map<String, List<String>> columns, String tenant) throws SQLException {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        try (Connection connection = DriverManager.getConnection(url, "postgres", "")) {
            for (var table : columns.entrySet()) {
                String select = "SELECT " + String.join(", ", table.getValue()) + " FROM " + table.getKey()
                        + " WHERE " + TABLES.get(table.getKey()) + " = ? ORDER BY 1, 2";
                try (var query = connection.prepareStatement(select)) {
                    query.setString(1, tenant);
                    try (ResultSet rs = query.executeQuery()) {
                        rows.put(table.getKey(), List.of(text(rs).split("\n")));
                    }
                }
                assertThat(rows.get(table.getKey())).as(table.getKey()).isNotEmpty().doesNotContain("");
            }
        }
        return rows;
    }

    private static String text(ResultSet rs) throws SQLException {
        StringBuilder out = new StringBuilder();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            if (!out.isEmpty()) out.append('\n');
            for (int i = 1; i <= n; i++) out.append(i > 1 ? " | " : "").append(rs.getString(i));
        }
        return out.toString();
    }
}
