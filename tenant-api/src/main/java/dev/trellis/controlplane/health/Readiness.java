package dev.trellis.controlplane.health;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.env.Environment;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.util.Arrays;
import java.util.Optional;

/**
 * Whether this replica should get new requests: it is not stopping, its {@link WarmUp}s are done, the database answers within
 * {@code trellis.health.query-timeout}, and the newest migration this replica ships is applied there.
 * A newer replica's migrations applied on top (expand/contract during a rolling upgrade) keep an
 * older replica ready; a database restored to an older schema does not. The probe has a connection
 * of its own, outside the application's pool: a pool busy with a burst of requests is not a database
 * out of reach, and must not take every replica out of the balancer at once.
 */
@Component
class Readiness implements DisposableBean {
    private final Shutdown shutdown;
    private final Flyway flyway;
    private final java.util.List<WarmUp> warmUps;
    private final HikariDataSource probe = new HikariDataSource();
    private final JdbcTemplate jdbc;
    private volatile MigrationVersion newestKnown;

    Readiness(Shutdown shutdown, Flyway flyway, Environment environment, java.util.List<WarmUp> warmUps,
              @org.springframework.beans.factory.annotation.Value("${trellis.health.query-timeout:2s}") java.time.Duration timeout) {
        this.shutdown = shutdown;
        this.warmUps = warmUps;
        this.flyway = flyway;
        probe.setPoolName("readiness");
        probe.setJdbcUrl(environment.getRequiredProperty("spring.datasource.url"));
        probe.setUsername(environment.getProperty("spring.datasource.username"));
        probe.setPassword(environment.getProperty("spring.datasource.password"));
        probe.setMaximumPoolSize(1);
        probe.setMinimumIdle(1);
        probe.setConnectionTimeout(Math.max(250, timeout.toMillis()));
        probe.setInitializationFailTimeout(-1); // started while the database is away: unready, not failed
        this.jdbc = new JdbcTemplate(probe);
        this.jdbc.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
    }

    @Override
    public void destroy() {
        probe.close();
    }

    /** Empty when ready; otherwise why not, in words for the operator. */
    Optional<String> notReadyBecause() {
        if (shutdown.draining()) return Optional.of("this replica is stopping");
        for (WarmUp warmUp : warmUps) if (!warmUp.warmed()) return Optional.of("warming up: " + warmUp.what());
        try {
            MigrationVersion newest = newestKnown();
            Boolean applied = jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM " + flyway.getConfiguration().getTable()
                    + " WHERE version = ? AND success)", Boolean.class, newest.getVersion());
            return Boolean.TRUE.equals(applied) ? Optional.empty()
                    : Optional.of("migration " + newest.getVersion() + " is not applied to the database");
        } catch (DataAccessException | org.flywaydb.core.api.FlywayException e) {
            return Optional.of("the database is unreachable");
        }
    }

    /** The newest migration on this replica's classpath; read once (the first time the database answers). */
    private MigrationVersion newestKnown() {
        MigrationVersion known = newestKnown;
        if (known != null) return known;
        known = Arrays.stream(flyway.info().all())
                .filter(info -> info.getState().isResolved() && info.getVersion() != null)
                .map(MigrationInfo::getVersion)
                .max(MigrationVersion::compareTo)
                .orElse(MigrationVersion.EMPTY);
        newestKnown = known;
        return known;
    }
}
