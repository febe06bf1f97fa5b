package dev.trellis.proxy.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

/**
 * The proxy's mTLS material in {@code TRELLIS_DATA_DIR}: {@code cert.pem} (its certificate chain,
 * SPIFFE ID as URI SAN), {@code key.pem} (PKCS#8) and {@code trust-bundle.pem} (the tenant's CA).
 * Files now; the control plane writes them there once the fleet registration exists.
 */
public record TlsFiles(Path certificate, Path key, Path trustBundle) {

    public static TlsFiles in(Path dataDir) {
        return new TlsFiles(dataDir.resolve("cert.pem"), dataDir.resolve("key.pem"), dataDir.resolve("trust-bundle.pem"));
    }

    public boolean present() {
        return Files.isReadable(certificate) && Files.isReadable(key) && Files.isReadable(trustBundle);
    }

    /** ALPN: HTTP/2 first, HTTP/1.1 for peers that speak only that; a peer that offers neither gets HTTP/1.1. */
    private static final ApplicationProtocolConfig H2_OR_HTTP1 = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);

    /**
     * Server side of the inbound listener; only peers with a certificate from the bundle get through
     * when required. It selects {@code h2} by ALPN when the caller offers it (another proxy does), and
     * the listener then reads HTTP/2 from the client preface on.
     */
    public SslContext server(ClientAuth clientAuth) {
        try {
            return SslContextBuilder.forServer(certificate.toFile(), key.toFile())
                    .trustManager(trustBundle.toFile())
                    .clientAuth(clientAuth)
                    .applicationProtocolConfig(H2_OR_HTTP1)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Client side for calls to mTLS clusters: presents our certificate, trusts only the bundle.
     * {@link #client()} offers no ALPN (HTTP/1.1: upgrades, endpoints that refused h2; TCP), this
     * one offers {@code h2} and {@code http/1.1}.
     */
    public SslContext clientH2() {
        return client(H2_OR_HTTP1);
    }

    /** Client side for HTTP/1.1 and TCP calls to mTLS clusters: presents our certificate, trusts only the bundle. */
    public SslContext client() {
        return client(null);
    }

    private SslContext client(ApplicationProtocolConfig alpn) {
        try {
            // Endpoints are addresses and certificates name workloads by SPIFFE ID: no host name check here,
            // the peer's SPIFFE ID is compared with the cluster's identity after the handshake.
            SslContextBuilder builder = SslContextBuilder.forClient()
                    .endpointIdentificationAlgorithm(null)
                    .keyManager(certificate.toFile(), key.toFile())
                    .trustManager(trustBundle.toFile());
            if (alpn != null) builder.applicationProtocolConfig(alpn);
            return builder.build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
