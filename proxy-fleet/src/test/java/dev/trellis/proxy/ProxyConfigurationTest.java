package dev.trellis.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.trellis.proxy.exchange.HttpLimits;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.util.unit.DataSize;

class ProxyConfigurationTest {

    @Test
    void bindsArgumentsOverTheRecordsDefaultsWithBootsConversions() {
        HttpLimits limits = ProxyConfiguration.of("--trellis.http.max-header-bytes=16KB", "--trellis.http.idle-timeout=90s")
                .bind("trellis.http", HttpLimits.class);
        assertThat(limits.maxHeaderBytes()).isEqualTo(DataSize.ofKilobytes(16));
        assertThat(limits.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(limits.maxHeaders()).as("a default").isEqualTo(100);
        assertThat(ProxyConfiguration.of().bind("trellis.http", HttpLimits.class).maxHeaderBytes())
                .isEqualTo(DataSize.ofKilobytes(8));
    }

    @Test
    void aValueThatDoesNotConvertNamesTheSetting() {
        ProxyConfiguration config = ProxyConfiguration.of("--trellis.http.idle-timeout=soon");
        assertThatThrownBy(() -> config.bind("trellis.http", HttpLimits.class))
                .hasMessageContaining("trellis.http.idle-timeout");
    }

    @Test
    void readsSingleValuesAndFlags() {
        ProxyConfiguration config = ProxyConfiguration.of("--trellis.event-loops=3", "--trellis.a=false", "--trellis.b=x");
        assertThat(config.value("trellis.event-loops", Integer.class, 0)).isEqualTo(3);
        assertThat(config.value("trellis.unset", Integer.class, 7)).isEqualTo(7);
        assertThat(config.isSet("trellis.a")).isFalse();
        assertThat(config.isSet("trellis.b")).isTrue();
        assertThat(config.isSet("trellis.c")).isFalse();
    }

    @Test
    void loggingLevelsApplyAsInSpringBoot() {
        Logger logger = (Logger) LoggerFactory.getLogger("dev.trellis.proxy.configuration-test");
        assertThat(logger.getEffectiveLevel()).isEqualTo(Level.INFO);
        ProxyLogging.apply(ProxyConfiguration.of("--logging.level.dev.trellis.proxy.configuration-test=debug").logLevels());
        assertThat(logger.getEffectiveLevel()).isEqualTo(Level.DEBUG);
        assertThat(((Logger) LoggerFactory.getLogger("io.netty")).getEffectiveLevel()).as("libraries").isEqualTo(Level.WARN);
    }
}
