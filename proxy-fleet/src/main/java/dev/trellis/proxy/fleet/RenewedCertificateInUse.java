package dev.trellis.proxy.fleet;

import dev.trellis.compiler.snapshot.MtlsMode;
import dev.trellis.proxy.ProxySettings;
import dev.trellis.proxy.routing.ActiveRoutes;
import dev.trellis.proxy.routing.RoutingTable;
import dev.trellis.proxy.tls.TlsFiles;
import dev.trellis.proxy.upstream.UpstreamClient;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Calls to other proxies present the renewed certificate from the next connection on, without
 * waiting for a snapshot change. (The inbound listener follows the same event on its own.)
 */
@Component
class RenewedCertificateInUse {
    private final ProxySettings settings;
    private final UpstreamClient client;
    private final ActiveRoutes routes;

    RenewedCertificateInUse(ProxySettings settings, UpstreamClient client, ActiveRoutes routes) {
        this.settings = settings;
        this.client = client;
        this.routes = routes;
    }

    @EventListener
    void onRenewed(CertificateRenewed renewed) {
        RoutingTable table = routes.current();
        TlsFiles files = TlsFiles.in(settings.dataDir());
        if (table != null && table.snapshot().mtls() != MtlsMode.DISABLED && files.present()) client.useTls(files);
    }
}
