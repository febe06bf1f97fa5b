package dev.trellis.proxy;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The proxy's configuration, bound from the environment ({@code TRELLIS_SNAPSHOT_FILE} is
 * {@code trellis.snapshot-file}, and so on) as docs/proxy.md's variable table lists it.
 *
 * @param snapshotFile       a compiled snapshot to run from, watched for changes; null when the control plane delivers them
 * @param appPort            where the local app listens (inbound traffic goes there); 0 means the snapshot's inbound port
 * @param inboundPort        listener for calls to this service
 * @param outboundPort       explicit HTTP proxy for the app's calls to other services
 * @param adminPort          {@code /ready} and {@code /metrics}
 * @param dataDir            last applied snapshot, key, certificate and trust bundle
 * @param snapshotPollPeriod how often the snapshot file is checked for changes
 */
public record ProxySettings(Path snapshotFile,
                            @DefaultValue("0") int appPort,
                            @DefaultValue("15006") int inboundPort,
                            @DefaultValue("15001") int outboundPort,
                            @DefaultValue("15000") int adminPort,
                            @DefaultValue("./trellis-data") Path dataDir,
                            @DefaultValue("1s") Duration snapshotPollPeriod) {
}
