package dev.trellis.controlplane;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.io.StringReader;
import java.io.StringWriter;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;

/** What a proxy holds: a key pair that never leaves it, and the CSR it sends. */
record ProxyKey(KeyPair pair) {

    static ProxyKey generate() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return new ProxyKey(generator.generateKeyPair());
    }

    /** A key of another algorithm or size: {@code RSA} 1024, {@code DSA} 2048, {@code EC} secp384r1... */
    static ProxyKey generate(String algorithm, Object size) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (size instanceof Integer bits) generator.initialize(bits);
        else generator.initialize(new ECGenParameterSpec((String) size));
        return new ProxyKey(generator.generateKeyPair());
    }

    String csr() throws Exception {
        String signature = switch (pair.getPublic().getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "DSA" -> "SHA256withDSA";
            default -> "SHA256withECDSA";
        };
        var request = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=proxy"), pair.getPublic())
                .build(new JcaContentSignerBuilder(signature).build(pair.getPrivate()));
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(request);
        }
        return text.toString();
    }

    static List<X509Certificate> certificates(String pem) throws Exception {
        List<X509Certificate> certificates = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                certificates.add(new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) o));
            }
        }
        return certificates;
    }
}
