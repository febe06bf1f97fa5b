package dev.trellis.controlplane.injection;

import dev.trellis.compiler.document.Durations;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.time.Duration;

/**
 * What injection writes into a pod or a task definition, as named settings (defaults in brackets):
 * {@code trellis.proxy.image} [trellis/proxy:0.1.0] the image reference (publishing it happens
 * outside the build); {@code trellis.injection.public-url} [the URL the request came in on] where
 * proxies and API servers reach this control plane; {@code trellis.injection.join-token-ttl} [30m]
 * how long a pod's token may wait for its proxy to start; {@code trellis.injection.proxy-uid} [1337]
 * the image's user, which the redirect rules exempt; {@code trellis.injection.proxy-memory} [160Mi]
 * and {@code trellis.injection.proxy-cpu} [100m] the sidecar's resources; {@code
 * trellis.injection.webhook-timeout-seconds} [5] what the webhook configuration asks of the API server (at most 10).
 */
@Component
public class InjectionSettings {
    private final String proxyImage;
    private final String publicUrl;
    private final Duration joinTokenTtl;
    private final int proxyUid;
    private final String proxyMemory;
    private final String proxyCpu;
    private final int webhookTimeoutSeconds;

    InjectionSettings(@Value("${trellis.proxy.image:trellis/proxy:0.1.0}") String proxyImage,
                      @Value("${trellis.injection.public-url:}") String publicUrl,
                      @Value("${trellis.injection.join-token-ttl:30m}") String joinTokenTtl,
                      @Value("${trellis.injection.proxy-uid:1337}") int proxyUid,
                      @Value("${trellis.injection.proxy-memory:160Mi}") String proxyMemory,
                      @Value("${trellis.injection.proxy-cpu:100m}") String proxyCpu,
                      @Value("${trellis.injection.webhook-timeout-seconds:5}") int webhookTimeoutSeconds) {
        if (webhookTimeoutSeconds < 1 || webhookTimeoutSeconds > 10) {
            throw new IllegalArgumentException("trellis.injection.webhook-timeout-seconds must be 1 to 10");
        }
        this.proxyImage = proxyImage;
        this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        this.joinTokenTtl = Duration.ofMillis(Durations.parseMillis(joinTokenTtl));
        this.proxyUid = proxyUid;
        this.proxyMemory = proxyMemory;
        this.proxyCpu = proxyCpu;
        this.webhookTimeoutSeconds = webhookTimeoutSeconds;
    }

    public String proxyImage() {
        return proxyImage;
    }

    /** The configured public URL, or {@code requestBase} (scheme, host and port of the current request) when none is set. */
    public String publicUrl(String requestBase) {
        return publicUrl.isEmpty() ? requestBase : publicUrl;
    }

    public Duration joinTokenTtl() {
        return joinTokenTtl;
    }

    public int proxyUid() {
        return proxyUid;
    }

    public String proxyMemory() {
        return proxyMemory;
    }

    public String proxyCpu() {
        return proxyCpu;
    }

    public int webhookTimeoutSeconds() {
        return webhookTimeoutSeconds;
    }
}
