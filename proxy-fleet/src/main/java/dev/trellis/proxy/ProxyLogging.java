package dev.trellis.proxy;

import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.LoggerFactory;

/**
 * Logback's configuration for the proxy, found through {@code META-INF/services} before Logback
 * looks for a {@code logback.xml} (whose XML parser alone loads a few hundred classes): one line
 * per event on standard output, warnings and up from libraries, information and up from the
 * proxy. {@code logging.level.*} changes a logger's level at start, as in any Spring Boot
 * application.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class ProxyLogging extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %5level [%thread] %logger{36} : %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(console);
        root.setLevel(Level.WARN);
        context.getLogger("dev.trellis.proxy").setLevel(Level.INFO);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Sets the levels named in {@code logging.level.*}; {@code root} is the root logger. */
    static void apply(Map<String, String> levels) {
        if (levels.isEmpty() || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return;
        levels.forEach((name, level) -> context.getLogger(name.equalsIgnoreCase("root") ? Logger.ROOT_LOGGER_NAME : name)
                .setLevel(Level.toLevel(level, null)));
    }
}
