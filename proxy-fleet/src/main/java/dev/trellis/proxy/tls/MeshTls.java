package dev.trellis.proxy.tls;

import dev.trellis.compiler.snapshot.MtlsMode;
import dev.trellis.proxy.ProxySettings;
import dev.trellis.proxy.snapshot.SnapshotApplied;
import dev.trellis.proxy.upstream.UpstreamClient;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Gives the upstream client the proxy's certificate when a snapshot turns mTLS on. */
@Component
class MeshTls {
    private final ProxySettings settings;
    private final UpstreamClient client;

    MeshTls(ProxySettings settings, UpstreamClient client) {
        this.settings = settings;
        this.client = client;
    }

    @EventListener
    void onSnapshot(SnapshotApplied applied) {
        TlsFiles files = TlsFiles.in(settings.dataDir());
        if (applied.snapshot().mtls() != MtlsMode.DISABLED && files.present()) client.useTls(files);
    }
}
