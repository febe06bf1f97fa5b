package dev.trellis.proxy.snapshot;

import dev.trellis.proxy.ProxySettings;
import dev.trellis.proxy.routing.ActiveRoutes;
import dev.trellis.proxy.routing.RouteCompiler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

@Configuration(proxyBeanMethods = false)
class SnapshotConfiguration {
    private static final Logger log = LoggerFactory.getLogger(SnapshotConfiguration.class);

    @Bean
    SnapshotApplier snapshotApplier(RouteCompiler compiler, ActiveRoutes routes, ProxySettings settings,
                                    ApplicationEventPublisher events) {
        return new SnapshotApplier(compiler, routes, new SnapshotStore(settings.dataDir()), events);
    }

    /** The file source when {@code TRELLIS_SNAPSHOT_FILE} is set; the control plane's long poll comes with the fleet. */
    @Bean(destroyMethod = "close")
    SnapshotSource snapshotSource(ProxySettings settings) {
        if (settings.snapshotFile() != null) return new FileSnapshotSource(settings.snapshotFile(), settings.snapshotPollPeriod());
        return new SnapshotSource() {
            @Override
            public void start(java.util.function.Consumer<byte[]> onCandidate) {
                log.warn("no TRELLIS_SNAPSHOT_FILE: running from the last stored snapshot only");
            }

            @Override
            public String describe() {
                return "none";
            }

            @Override
            public void close() {
            }
        };
    }

    /** Starts from the stored snapshot, then lets the source deliver newer ones. */
    @EventListener(ApplicationReadyEvent.class)
    void startSnapshots(ApplicationReadyEvent ready) {
        SnapshotApplier applier = ready.getApplicationContext().getBean(SnapshotApplier.class);
        SnapshotSource source = ready.getApplicationContext().getBean(SnapshotSource.class);
        ProxySettings settings = ready.getApplicationContext().getBean(ProxySettings.class);
        new SnapshotStore(settings.dataDir()).load().ifPresent(bytes -> applier.apply(bytes, "the stored snapshot"));
        source.start(bytes -> applier.apply(bytes, source.describe()));
    }
}
