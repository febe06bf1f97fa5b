package dev.trellis.proxy;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A tenant CA for tests, issuing SPIFFE workload certificates with BouncyCastle. */
final class TestCa {
    final KeyPair keys = generate();
    final X509Certificate certificate;

    TestCa(String name) {
        try {
            X500Name subject = new X500Name("CN=" + name);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(), notBefore(), notAfter(),
                    subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            certificate = sign(builder, keys);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A workload's certificate and key. */
    record Issued(X509Certificate certificate, KeyPair keys, X509Certificate ca) {

        /** Writes cert.pem, key.pem and trust-bundle.pem where the proxy looks for them. */
        void writeTo(Path dataDir, X509Certificate trustBundle) {
            try {
                Files.createDirectories(dataDir);
                Files.writeString(dataDir.resolve("cert.pem"), pem(certificate));
                Files.writeString(dataDir.resolve("key.pem"), pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate()));
                Files.writeString(dataDir.resolve("trust-bundle.pem"), pem(trustBundle));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** A client SSL context presenting this certificate and trusting {@code trusted}. */
        SSLContext sslContext(X509Certificate trusted) {
            try {
                KeyStore keyStore = KeyStore.getInstance("PKCS12");
                keyStore.load(null, null);
                keyStore.setKeyEntry("me", keys.getPrivate(), new char[0], new X509Certificate[]{certificate, ca});
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keyStore, new char[0]);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(kmf.getKeyManagers(), trustOnly(trusted).getTrustManagers(), new SecureRandom());
                return context;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    Issued issue(String spiffeId) {
        try {
            KeyPair workload = generate();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(), notBefore(), notAfter(),
                    new X500Name("CN=workload"), workload.getPublic())
                    .addExtension(Extension.subjectAlternativeName, true,
                            new GeneralNames(new GeneralName[]{new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId),
                                    // Lets the JDK's HTTPS client, which always checks host names, call the proxy.
                                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")}))
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            return new Issued(sign(builder, keys), workload, certificate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TrustManagerFactory trustOnly(X509Certificate trusted) throws GeneralSecurityException, IOException {
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry("ca", trusted);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore);
        return tmf;
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        return text.toString();
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(64, new SecureRandom());
    }

    private static Date notBefore() {
        return Date.from(Instant.now().minus(Duration.ofMinutes(5)));
    }

    private static Date notAfter() {
        return Date.from(Instant.now().plus(Duration.ofDays(1)));
    }
}
