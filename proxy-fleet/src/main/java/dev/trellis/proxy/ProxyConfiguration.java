package dev.trellis.proxy;

import java.util.Map;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * The proxy's configuration as Spring Boot binds it: {@code --trellis.x=} arguments first, then
 * system properties, then environment variables under Boot's relaxed names
 * ({@code TRELLIS_HTTP_MAX_HEADER_BYTES} is {@code trellis.http.max-header-bytes}), with Boot's
 * conversions ({@code 10s}, {@code 8KB}) and the records' {@code @DefaultValue}s. Boot's
 * {@link Binder} does that on its own; an application context around it cost the sidecar about 1,200
 * classes it never used (docs/benchmarks.md, "the proxy without an application context").
 */
public final class ProxyConfiguration {
    private final Binder binder;

    private ProxyConfiguration(Binder binder) {
        this.binder = binder;
    }

    public static ProxyConfiguration of(String... args) {
        StandardEnvironment environment = new StandardEnvironment();
        if (args.length > 0) environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(args));
        return new ProxyConfiguration(Binder.get(environment));
    }

    /** The settings record bound under {@code prefix}; its defaults where nothing is set. */
    public <T> T bind(String prefix, Class<T> type) {
        return binder.bindOrCreate(prefix, type);
    }

    /** One setting, converted to {@code type}, or {@code fallback} where it is not set. */
    public <T> T value(String name, Class<T> type, T fallback) {
        return binder.bind(name, type).orElse(fallback);
    }

    /** Whether {@code name} is set to anything but {@code false}, as Boot's {@code @ConditionalOnProperty} reads it. */
    public boolean isSet(String name) {
        String value = value(name, String.class, null);
        return value != null && !value.equalsIgnoreCase("false");
    }

    /** {@code logging.level.*} as Boot names it ({@code LOGGING_LEVEL_DEV_TRELLIS=DEBUG}): logger name to level. */
    Map<String, String> logLevels() {
        return binder.bind("logging.level", Bindable.mapOf(String.class, String.class)).orElse(Map.of());
    }
}
