package dev.trellis.proxy.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.function.Consumer;

import dev.trellis.proxy.ProxyConfiguration;
import dev.trellis.proxy.ProxySettings;
import dev.trellis.proxy.policy.UsageLedger;
import dev.trellis.proxy.routing.ActiveRoutes;
import dev.trellis.proxy.routing.RoutingTable;
import dev.trellis.proxy.snapshot.SnapshotApplier;
import dev.trellis.proxy.snapshot.SnapshotSource;

/**
 * With {@code TRELLIS_CONTROL_PLANE} set, snapshots come from the control plane instead of a file, and
 * the proxy offers its inbound port at {@code TRELLIS_ADVERTISE_ADDRESS} (default: this host's address),
 * again every {@code TRELLIS_FLEET_HEARTBEAT} (2 s), and withdraws it {@code TRELLIS_SHUTDOWN_DRAIN}
 * (2 s) before its listeners close.
 */
public final class FleetConfiguration {
    private FleetConfiguration() {
    }

    public static boolean enabled(ProxyConfiguration config) {
        return config.isSet("trellis.control-plane");
    }

    /** The control plane's long poll; {@code renewed} is told when a renewed certificate is in the data directory. */
    public static SnapshotSource snapshotSource(ProxyConfiguration config, ProxySettings settings, SnapshotApplier applier,
                                                ActiveRoutes routes, Consumer<CertificateRenewed> renewed) {
        String advertiseAddress = config.value("trellis.advertise-address", String.class, "");
        String address;
        try {
            address = advertiseAddress.isBlank() ? InetAddress.getLocalHost().getHostAddress() : advertiseAddress;
        } catch (UnknownHostException e) {
            throw new UncheckedIOException("no TRELLIS_ADVERTISE_ADDRESS and this host's own address is unknown", e);
        }
        return new ControlPlaneSnapshotSource(new ControlPlaneClient(controlPlane(config)), new FleetIdentity(settings.dataDir()),
                config.value("trellis.join-token", String.class, ""), config.value("trellis.service", String.class, "proxy"),
                applier, routes, new EndpointOffer(address, settings.inboundPort()), renewed,
                config.value("trellis.fleet.heartbeat", Duration.class, Duration.ofSeconds(2)),
                config.value("trellis.shutdown-drain", Duration.class, Duration.ofSeconds(2)));
    }

    /**
     * Usage reports to {@code POST /v1/fleet/usage} every {@code trellis.usage.interval} (default
     * 10 s) and at shutdown, with at most {@code trellis.usage.backlog} (default 64, ten minutes)
     * undelivered reports kept; started here. The proxy closes it after its listeners, so the last
     * report holds the last requests.
     */
    public static AutoCloseable usageReporter(ProxyConfiguration config, ProxySettings settings, UsageLedger ledger,
                                              ActiveRoutes routes) {
        ControlPlaneClient client = new ControlPlaneClient(controlPlane(config));
        FleetIdentity identity = new FleetIdentity(settings.dataDir());
        UsageReporter.Sender sender = report -> {
            if (!identity.present()) throw new IOException("not registered yet");
            return new UsageReporter.Delivery(client.post("v1/fleet/usage", identity.token(), report));
        };
        UsageReporter reporter = new UsageReporter(ledger, sender, () -> {
            RoutingTable table = routes.current();
            return table == null ? null : table.snapshot().version();
        }, () -> {
            try {
                if (!identity.present()) return null;
                String[] parts = identity.token().split("_", 3);
                return parts.length == 3 ? parts[1] : null;
            } catch (IOException e) {
                return null;
            }
        }, config.value("trellis.usage.interval", Duration.class, Duration.ofSeconds(10)),
                config.value("trellis.usage.backlog", Integer.class, 64));
        reporter.start();
        return reporter;
    }

    private static String controlPlane(ProxyConfiguration config) {
        return config.value("trellis.control-plane", String.class, null);
    }
}
