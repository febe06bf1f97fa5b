package dev.trellis.billing;

import org.springframework.jdbc.core.simple.JdbcClient;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Optional;

/** The plan catalogue: public, versioned, never edited (a new price is a new version). */
public final class Plans {
    private static final String COLUMNS = """
            id, version, name, currency, base_minor, endpoint_hour_minor, endpoint_hours_included,
            million_requests_minor, requests_included, mesh_minor, meshes_included, max_meshes, max_services,
            max_proxies, self_service, published_at""";
    private final JdbcClient jdbc;

    Plans(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The newest version of every plan published by {@code at}, by id. */
    public List<Plan> current(Instant at) {
        return jdbc.sql("SELECT DISTINCT ON (id) " + COLUMNS + " FROM billing_plans WHERE published_at <= ? ORDER BY id, version DESC")
                .param(java.sql.Timestamp.from(at))
                .query(Plans::plan)
                .list();
    }

    public Optional<Plan> find(String id, int version) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM billing_plans WHERE id = ? AND version = ?")
                .params(id, version)
                .query(Plans::plan)
                .optional();
    }

    /** The newest version of a plan published by {@code at}: what a tenant gets when it names no version. */
    public Optional<Plan> latest(String id, Instant at) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM billing_plans WHERE id = ? AND published_at <= ? ORDER BY version DESC LIMIT 1")
                .params(id, java.sql.Timestamp.from(at))
                .query(Plans::plan)
                .optional();
    }

    private static Plan plan(ResultSet rs, int row) throws SQLException {
        return new Plan(rs.getString(1), rs.getInt(2), rs.getString(3), Currency.getInstance(rs.getString(4)),
                rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10), rs.getLong(11),
                new Limits(integer(rs, 12), integer(rs, 13), integer(rs, 14)), rs.getBoolean(15),
                rs.getTimestamp(16).toInstant());
    }

    static Integer integer(ResultSet rs, int column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }
}
