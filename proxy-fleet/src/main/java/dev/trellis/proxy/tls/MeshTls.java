package dev.trellis.proxy.tls;

import dev.trellis.compiler.snapshot.MtlsMode;
import dev.trellis.proxy.ProxySettings;
import dev.trellis.proxy.snapshot.SnapshotApplied;
import dev.trellis.proxy.upstream.UpstreamClient;

/**
 * Gives the upstream client the proxy's certificate when a snapshot turns mTLS on, and the renewed
 * one when the certificate is renewed, for the calls to other proxies from their next connection on.
 */
public final class MeshTls {
    private final ProxySettings settings;
    private final UpstreamClient client;
    private volatile MtlsMode mode = MtlsMode.DISABLED;

    public MeshTls(ProxySettings settings, UpstreamClient client) {
        this.settings = settings;
        this.client = client;
    }

    public void onSnapshot(SnapshotApplied applied) {
        mode = applied.snapshot().mtls();
        useFilesIfMeshTls();
    }

    /** The renewed certificate is in the data directory; the snapshot in force need not change for calls to use it. */
    public void onRenewed() {
        useFilesIfMeshTls();
    }

    private void useFilesIfMeshTls() {
        TlsFiles files = TlsFiles.in(settings.dataDir());
        if (mode != MtlsMode.DISABLED && files.present()) client.useTls(files);
    }
}
