package dev.trellis.proxy.fleet;

import dev.trellis.proxy.ProxySettings;
import dev.trellis.proxy.routing.ActiveRoutes;
import dev.trellis.proxy.snapshot.SnapshotApplier;
import dev.trellis.proxy.snapshot.SnapshotSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/** With {@code TRELLIS_CONTROL_PLANE} set, snapshots come from the control plane instead of a file. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("trellis.control-plane")
class FleetConfiguration {

    @Bean(destroyMethod = "close")
    @Primary
    SnapshotSource controlPlaneSnapshotSource(@Value("${trellis.control-plane}") String controlPlane,
                                              @Value("${trellis.join-token:}") String joinToken,
                                              @Value("${trellis.service:proxy}") String service,
                                              ProxySettings settings, SnapshotApplier applier, ActiveRoutes routes) {
        return new ControlPlaneSnapshotSource(new ControlPlaneClient(controlPlane), new FleetIdentity(settings.dataDir()),
                joinToken, service, applier, routes);
    }
}
