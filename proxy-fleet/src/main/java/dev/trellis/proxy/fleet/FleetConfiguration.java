package dev.trellis.proxy.fleet;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

import dev.trellis.proxy.ProxySettings;
import dev.trellis.proxy.routing.ActiveRoutes;
import dev.trellis.proxy.snapshot.SnapshotApplier;
import dev.trellis.proxy.snapshot.SnapshotSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * With {@code TRELLIS_CONTROL_PLANE} set, snapshots come from the control plane instead of a file, and
 * the proxy offers its inbound port at {@code TRELLIS_ADVERTISE_ADDRESS} (default: this host's address),
 * again every {@code TRELLIS_FLEET_HEARTBEAT} (2 s), and withdraws it {@code TRELLIS_SHUTDOWN_DRAIN}
 * (2 s) before its listeners close.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("trellis.control-plane")
class FleetConfiguration {

    @Bean(destroyMethod = "close")
    @Primary
    SnapshotSource controlPlaneSnapshotSource(@Value("${trellis.control-plane}") String controlPlane,
                                              @Value("${trellis.join-token:}") String joinToken,
                                              @Value("${trellis.service:proxy}") String service,
                                              @Value("${trellis.advertise-address:}") String advertiseAddress,
                                              @Value("${trellis.fleet.heartbeat:2s}") Duration heartbeat,
                                              @Value("${trellis.shutdown-drain:2s}") Duration drain,
                                              ProxySettings settings, SnapshotApplier applier, ActiveRoutes routes,
                                              ApplicationEventPublisher events) throws UnknownHostException {
        String address = advertiseAddress.isBlank() ? InetAddress.getLocalHost().getHostAddress() : advertiseAddress;
        return new ControlPlaneSnapshotSource(new ControlPlaneClient(controlPlane), new FleetIdentity(settings.dataDir()),
                joinToken, service, applier, routes, new EndpointOffer(address, settings.inboundPort()), events, heartbeat, drain);
    }
}
