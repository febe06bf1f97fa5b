package dev.trellis.controlplane.database;

import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.Map;

/**
 * The embedded default: when no {@code spring.datasource.url} is configured, starts a real
 * PostgreSQL under {@code TRELLIS_HOME} and points the datasource at it. Flyway migrates as the
 * superuser; the application connects as {@code trellis_app}, a role that row-level security binds.
 * The database stops with the application context.
 */
public class EmbeddedDatabaseInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        ConfigurableEnvironment environment = context.getEnvironment();
        if (environment.containsProperty("spring.datasource.url")) return;
        EmbeddedDatabase database = EmbeddedDatabase.start(TrellisHome.from(environment));
        String url = database.jdbcUrl();
        environment.getPropertySources().addFirst(new MapPropertySource("trellis-embedded-postgres", Map.of(
                "spring.datasource.url", url,
                "spring.datasource.username", "trellis_app",
                "spring.datasource.password", "",
                "spring.flyway.url", url,
                "spring.flyway.user", "postgres",
                "spring.flyway.password", "")));
        // Registered first, so destroyed last: after the connection pool has closed.
        if (context.getBeanFactory() instanceof DefaultSingletonBeanRegistry registry) {
            registry.registerDisposableBean("trellisEmbeddedDatabase", database::close);
        } else {
            Runtime.getRuntime().addShutdownHook(new Thread(database::close));
        }
    }
}
