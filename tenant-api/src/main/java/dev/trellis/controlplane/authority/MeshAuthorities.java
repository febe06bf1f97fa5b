package dev.trellis.controlplane.authority;

import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/**
 * The mesh_authorities table: each mesh's root certificate, and its private key sealed with the
 * {@link MasterKey}. Created on first use; runs inside the tenant's transaction.
 */
@Repository
public class MeshAuthorities {
    private final JdbcClient jdbc;
    private final MasterKey masterKey;

    MeshAuthorities(JdbcClient jdbc, MasterKey masterKey) {
        this.jdbc = jdbc;
        this.masterKey = masterKey;
    }

    /** The mesh's authority, created now if the mesh has none yet. */
    public MeshAuthority forMesh(String tenantId, String mesh, Instant now) {
        return find(tenantId, mesh).orElseGet(() -> {
            MeshAuthority created = MeshAuthority.create(tenantId, mesh, now);
            // Two registrations may race to create it: the first insert wins and both use the stored one.
            jdbc.sql("""
                            INSERT INTO mesh_authorities (tenant_id, mesh, certificate, sealed_key, created_at)
                            VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")
                    .params(tenantId, mesh, created.trustBundle(),
                            masterKey.seal(created.key().getEncoded(), boundTo(tenantId, mesh)), Timestamp.from(now))
                    .update();
            return find(tenantId, mesh).orElseThrow();
        });
    }

    private Optional<MeshAuthority> find(String tenantId, String mesh) {
        return jdbc.sql("SELECT certificate, sealed_key FROM mesh_authorities WHERE tenant_id = ? AND mesh = ?")
                .params(tenantId, mesh)
                .query((rs, n) -> read(rs.getString(1), rs.getBytes(2), boundTo(tenantId, mesh)))
                .optional();
    }

    private MeshAuthority read(String certificatePem, byte[] sealedKey, String boundTo) {
        try (PEMParser parser = new PEMParser(new StringReader(certificatePem))) {
            var certificate = new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) parser.readObject());
            var key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(masterKey.open(sealedKey, boundTo)));
            return new MeshAuthority(certificate, key);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("the stored authority of a mesh cannot be read", e);
        }
    }

    private static String boundTo(String tenantId, String mesh) {
        return "mesh-authority:" + tenantId + "/" + mesh;
    }
}
