package dev.trellis.controlplane.authority;

import dev.trellis.controlplane.web.InvalidRequest;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

import java.io.StringReader;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Set;

/**
 * A proxy's PKCS#10 certificate signing request, checked: it parses and is signed by the key it
 * carries (so the proxy holds that private key), and that key is one the
 * authority certifies ({@link #KEY_POLICY}). Only the public key is used; the names the proxy
 * asked for are ignored, because its identity comes from its join token.
 */
public record SigningRequest(PublicKey publicKey) {
    /** Which keys the mesh's authority certifies; weaker ones (RSA under 2048 bits, DSA, other curves) are refused. */
    public static final String KEY_POLICY = "must carry an EC P-256 or P-384 key, or an RSA key of at least 2048 bits";
    static final int MIN_RSA_BITS = 2048;
    private static final Set<String> CURVES = Set.of("secp256r1", "secp384r1", "P-256", "P-384",
            "1.2.840.10045.3.1.7", "1.3.132.0.34");

    static boolean acceptable(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) return rsa.getModulus().bitLength() >= MIN_RSA_BITS;
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            // The named curve, not only its size: a custom curve of the right size is not P-256.
            return (bits == 256 || bits == 384) && CURVES.contains(curveName(ec));
        }
        return false;
    }

    private static String curveName(ECPublicKey key) {
        var info = SubjectPublicKeyInfo.getInstance(key.getEncoded());
        var parameters = info.getAlgorithm().getParameters();
        if (!(parameters instanceof ASN1ObjectIdentifier oid)) return "";
        return oid.getId();
    }

    /** @throws InvalidRequest at {@code field} when the text is not a validly signed CSR */
    public static SigningRequest parse(String pem, String field) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            if (!(parser.readObject() instanceof PKCS10CertificationRequest csr)) {
                throw InvalidRequest.of(field, "must be a PEM PKCS#10 certificate signing request");
            }
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))) {
                throw InvalidRequest.of(field, "is not signed by the key it carries");
            }
            PublicKey key = new JcaPKCS10CertificationRequest(csr).getPublicKey();
            if (!acceptable(key)) throw InvalidRequest.of(field, KEY_POLICY);
            return new SigningRequest(key);
        } catch (InvalidRequest e) {
            throw e;
        } catch (Exception e) {
            throw InvalidRequest.of(field, "must be a PEM PKCS#10 certificate signing request");
        }
    }
}
