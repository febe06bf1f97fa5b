package dev.trellis.controlplane.authority;

import org.junit.jupiter.api.Test;

import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MeshAuthorityTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    @Test
    void issuesLeafCertificatesNamingTheWorkloadThatOnlyItsOwnRootVerifies() throws Exception {
        MeshAuthority shop = MeshAuthority.create("t1", "shop", NOW);
        MeshAuthority other = MeshAuthority.create("t1", "other", NOW);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        var proxyKey = generator.generateKeyPair().getPublic();

        MeshAuthority.Issued issued = shop.issue(proxyKey, "spiffe://t1.trellis/mesh/shop/service/echo", "echo", NOW, Duration.ofHours(24));
        X509Certificate leaf = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificates(new java.io.ByteArrayInputStream(issued.chain().getBytes())).iterator().next();

        leaf.verify(shop.certificate().getPublicKey());
        assertThatThrownBy(() -> leaf.verify(other.certificate().getPublicKey())).isInstanceOf(java.security.SignatureException.class);
        assertThat(leaf.getPublicKey()).isEqualTo(proxyKey);
        assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, "spiffe://t1.trellis/mesh/shop/service/echo"));
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(issued.notAfter()).isEqualTo(NOW.plus(Duration.ofHours(24)));
        assertThat(shop.certificate().getBasicConstraints()).isEqualTo(0);
        assertThat(issued.fingerprint()).hasSize(64).isEqualTo(MeshAuthority.fingerprint(leaf));
        assertThat(issued.trustBundle()).isEqualTo(shop.trustBundle()).isNotEqualTo(other.trustBundle());
    }
}
