package dev.trellis.proxy.fleet;

import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Map;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class FleetIdentityTest {

    @Test
    void theCsrIsSignedByTheKeyThatStaysHere() throws Exception {
        KeyMaterial key = KeyMaterial.generate();
        try (PEMParser parser = new PEMParser(new StringReader(key.csr("echo")))) {
            PKCS10CertificationRequest csr = (PKCS10CertificationRequest) parser.readObject();
            assertThat(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))).isTrue();
            assertThat(csr.getSubjectPublicKeyInfo().getEncoded()).isEqualTo(key.pair().getPublic().getEncoded());
        }
        assertThat(key.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void storesWhatRegistrationAnsweredOwnerOnlyAndRenewsTwoThirdsIntoTheCertificatesLife(@TempDir Path dataDir) throws Exception {
        FleetIdentity identity = new FleetIdentity(dataDir);
        assertThat(identity.present()).isFalse();
        KeyMaterial key = KeyMaterial.generate();
        Instant notBefore = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1));
        String certificate = selfSigned(key, notBefore, notBefore.plus(Duration.ofHours(3)));

        identity.registered(key, ControlPlaneClient.JSON.valueToTree(Map.of(
                "token", "trp_abc_def", "certificateChain", certificate, "trustBundle", certificate)));

        assertThat(identity.present()).isTrue();
        assertThat(identity.token()).isEqualTo("trp_abc_def");
        assertThat(identity.renewAt()).isEqualTo(notBefore.plus(Duration.ofHours(2)));
        assertThat(Files.readString(dataDir.resolve("key.pem"))).isEqualTo(key.privateKeyPem());
        assertThat(Files.getPosixFilePermissions(dataDir.resolve("key.pem"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        // A fresh instance over the same directory (a restart) finds it all again.
        assertThat(new FleetIdentity(dataDir).present()).isTrue();
    }

    /** A certificate for {@code key}, signed by itself: what a registration answer carries, for tests that need an identity. */
    static String selfSigned(KeyMaterial key, Instant from, Instant to) throws Exception {
        X500Name name = new X500Name("CN=echo");
        var holder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(from), Date.from(to), name, key.pair().getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.pair().getPrivate()));
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(holder);
        }
        return text.toString();
    }
}
