package dev.trellis.proxy.fleet;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

import dev.trellis.proxy.ProxySettings;
import dev.trellis.proxy.policy.UsageLedger;
import dev.trellis.proxy.routing.ActiveRoutes;
import dev.trellis.proxy.routing.RoutingTable;
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

    /**
     * Usage reports to {@code POST /v1/fleet/usage} every {@code trellis.usage.interval} (default
     * 10 s) and at shutdown, with at most {@code trellis.usage.backlog} (default 64, ten minutes)
     * undelivered reports kept. Closed after the listeners, so the last report holds the last requests.
     */
    @Bean(initMethod = "start", destroyMethod = "close")
    UsageReporter usageReporter(@Value("${trellis.control-plane}") String controlPlane,
                                @Value("${trellis.usage.interval:10s}") java.time.Duration interval,
                                @Value("${trellis.usage.backlog:64}") int backlog,
                                ProxySettings settings, UsageLedger ledger, ActiveRoutes routes) {
        ControlPlaneClient client = new ControlPlaneClient(controlPlane);
        FleetIdentity identity = new FleetIdentity(settings.dataDir());
        UsageReporter.Sender sender = report -> {
            if (!identity.present()) throw new java.io.IOException("not registered yet");
            return client.post("v1/fleet/usage", identity.token(), report).status();
        };
        return new UsageReporter(ledger, sender, () -> {
            RoutingTable table = routes.current();
            return table == null ? null : table.snapshot().version();
        }, () -> {
            try {
                if (!identity.present()) return null;
                String[] parts = identity.token().split("_", 3);
                return parts.length == 3 ? parts[1] : null;
            } catch (java.io.IOException e) {
                return null;
            }
        }, interval, backlog);
    }
}
