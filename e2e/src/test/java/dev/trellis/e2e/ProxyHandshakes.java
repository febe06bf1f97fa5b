package dev.trellis.e2e;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A new mTLS connection to a proxy's inbound port made with the material another proxy would use
 * for its next connection (its key, certificate and trust bundle in its data directory), then one
 * HTTP request through it: what a proxy's pooled connections would hide.
 */
final class ProxyHandshakes {
    private ProxyHandshakes() {
    }

    /** The HTTP status line's code, or the failure. */
    static String call(Path dataDir, int inboundPort) {
        return call(dataDir, certificates(dataDir.resolve("trust-bundle.pem")), inboundPort);
    }

    /** As {@link #call(Path, int)}, trusting {@code roots} instead of the data directory's bundle. */
    static String call(Path dataDir, List<X509Certificate> roots, int inboundPort) {
        try {
            List<X509Certificate> chain = certificates(dataDir.resolve("cert.pem"));
            PrivateKey key = privateKey(dataDir.resolve("key.pem"));
            // The proxy writes its key before its certificate: between the two they do not match, and it has not switched yet.
            if (!matches(chain.getFirst(), key)) return "renewing";
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("proxy", key, new char[0], chain.toArray(Certificate[]::new));
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            for (int i = 0; i < roots.size(); i++) trusted.setCertificateEntry("root" + i, roots.get(i));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, new char[0]);
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", inboundPort)) {
                socket.setSoTimeout(5_000);
                socket.startHandshake();
                OutputStream out = socket.getOutputStream();
                out.write("GET /hello HTTP/1.1\r\nHost: echo\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                byte[] head = in.readNBytes(12);
                return new String(head, StandardCharsets.US_ASCII).substring(9);
            }
        } catch (Exception e) {
            return "failed: " + e;
        }
    }

    static List<X509Certificate> certificates(Path pem) {
        try {
            List<X509Certificate> certificates = new ArrayList<>();
            CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)))
                    .forEach(c -> certificates.add((X509Certificate) c));
            return certificates;
        } catch (IOException | java.security.cert.CertificateException e) {
            throw new IllegalStateException("cannot read " + pem, e);
        }
    }

    private static PrivateKey privateKey(Path pem) throws Exception {
        String base64 = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(base64);
        for (String algorithm : List.of("EC", "RSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (java.security.spec.InvalidKeySpecException notThisOne) {
                // try the next algorithm
            }
        }
        throw new IllegalStateException("unreadable key in " + pem);
    }

    private static boolean matches(X509Certificate certificate, PrivateKey key) throws Exception {
        java.security.Signature signer = java.security.Signature.getInstance(key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA");
        signer.initSign(key);
        byte[] probe = "probe".getBytes(StandardCharsets.US_ASCII);
        signer.update(probe);
        byte[] signature = signer.sign();
        java.security.Signature verifier = java.security.Signature.getInstance(signer.getAlgorithm());
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(probe);
        return verifier.verify(signature);
    }
}
