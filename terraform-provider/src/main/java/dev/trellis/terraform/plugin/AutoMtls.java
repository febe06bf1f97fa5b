package dev.trellis.terraform.plugin;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * go-plugin's AutoMTLS: Terraform passes its client certificate in {@code PLUGIN_CLIENT_CERT};
 * the plugin serves TLS with a fresh self-signed certificate for {@code localhost}, announces
 * that certificate in the handshake, and accepts only clients presenting Terraform's certificate.
 * The JDK's TLS is used on purpose: Terraform's client key is ECDSA P-521, which BoringSSL's
 * default signature algorithms leave out, so Terraform would send no certificate at all.
 */
public record AutoMtls(SslContext sslContext, byte[] certificateDer) {

    public static AutoMtls forClient(String clientCertificatePem) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            X509CertificateHolder certificate = selfSigned(keys);
            X509Certificate server = new JcaX509CertificateConverter().getCertificate(certificate);
            X509Certificate client = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(clientCertificatePem.getBytes(StandardCharsets.US_ASCII)));
            SslContext context = GrpcSslContexts.configure(SslContextBuilder.forServer(keys.getPrivate(), server), SslProvider.JDK)
                    .trustManager(client)
                    .clientAuth(ClientAuth.REQUIRE)
                    .build();
            return new AutoMtls(context, certificate.getEncoded());
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the plugin's TLS certificate", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static X509CertificateHolder selfSigned(KeyPair keys) throws IOException, OperatorCreationException {
        X500Name subject = new X500Name("CN=localhost,O=Trellis terraform-provider-trellis");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                new BigInteger(127, new SecureRandom()), Date.from(now.minus(Duration.ofMinutes(1))),
                Date.from(now.plus(Duration.ofDays(30))), subject, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true,
                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyCertSign));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        return builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
    }
}
