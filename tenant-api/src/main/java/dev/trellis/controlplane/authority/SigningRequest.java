package dev.trellis.controlplane.authority;

import dev.trellis.controlplane.web.InvalidRequest;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

import java.io.StringReader;
import java.security.PublicKey;

/**
 * A proxy's PKCS#10 certificate signing request, checked: it parses and is signed by the key it
 * carries (so the proxy holds that private key). Only the public key is used; the names the proxy
 * asked for are ignored, because its identity comes from its join token.
 */
public record SigningRequest(PublicKey publicKey) {

    /** @throws InvalidRequest at {@code field} when the text is not a validly signed CSR */
    public static SigningRequest parse(String pem, String field) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            if (!(parser.readObject() instanceof PKCS10CertificationRequest csr)) {
                throw InvalidRequest.of(field, "must be a PEM PKCS#10 certificate signing request");
            }
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))) {
                throw InvalidRequest.of(field, "is not signed by the key it carries");
            }
            return new SigningRequest(new JcaPKCS10CertificationRequest(csr).getPublicKey());
        } catch (InvalidRequest e) {
            throw e;
        } catch (Exception e) {
            throw InvalidRequest.of(field, "must be a PEM PKCS#10 certificate signing request");
        }
    }
}
