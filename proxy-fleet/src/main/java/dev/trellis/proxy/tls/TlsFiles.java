package dev.trellis.proxy.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

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

    /** Server side of the inbound listener; only peers with a certificate from the bundle get through when required. */
    public SslContext server(ClientAuth clientAuth) {
        try {
            return SslContextBuilder.forServer(certificate.toFile(), key.toFile())
                    .trustManager(trustBundle.toFile())
                    .clientAuth(clientAuth)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Client side for calls to mTLS clusters: presents our certificate, trusts only the bundle. */
    public SslContext client() {
        try {
            // Endpoints are addresses and certificates name workloads by SPIFFE ID: no host name check here,
            // the peer's SPIFFE ID is compared with the cluster's identity after the handshake.
            return SslContextBuilder.forClient()
                    .endpointIdentificationAlgorithm(null)
                    .keyManager(certificate.toFile(), key.toFile())
                    .trustManager(trustBundle.toFile())
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
