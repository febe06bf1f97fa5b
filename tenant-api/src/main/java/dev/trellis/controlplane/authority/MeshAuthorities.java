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
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mesh_authorities table: each mesh's root certificate, and its private key sealed with the
 * {@link MasterKey}. Created on first use; runs inside the tenant's transaction.
 * <p>
 * A root rotation has three phases, each {@code overlap} long, decided by the clock whenever the
 * authority is read: the next root is trusted but does not sign; then it signs and the old root is
 * still trusted; then the old root is gone. Proxies take the trust bundle with every certificate
 * they are issued, so with an overlap of at least a certificate's life every proxy trusts the new
 * root before any certificate it signed exists, and trusts the old one until no certificate it
 * signed is left.
 */
@Repository
public class MeshAuthorities {
    private static final String COLUMNS = "certificate, sealed_key, sealed_with, next_certificate, next_sealed_key, "
            + "retired_certificate, rotation_started_at, EXTRACT(EPOCH FROM rotation_overlap)::bigint";

    private final JdbcClient jdbc;
    private final MasterKey masterKey;

    MeshAuthorities(JdbcClient jdbc, MasterKey masterKey) {
        this.jdbc = jdbc;
        this.masterKey = masterKey;
    }

    /** A root of a mesh: {@code role} is {@code signing}, {@code next} or {@code retired}. */
    public record Root(String fingerprint, String role, Instant notAfter) {
    }

    /** When a root rotation began, when the next root starts signing, and when the old root is no longer trusted. */
    public record Rotation(Instant startedAt, Instant switchesAt, Instant completesAt) {
    }

    /** The roots a mesh's proxies trust now, and the rotation under way, if any. */
    public record Roots(List<Root> roots, Rotation rotation) {
    }

    /** The mesh's authority, created now if the mesh has none yet. */
    public MeshAuthority forMesh(String tenantId, String mesh, Instant now) {
        return authority(current(tenantId, mesh, now), boundTo(tenantId, mesh));
    }

    /** The mesh's roots now. */
    public Roots roots(String tenantId, String mesh, Instant now) {
        Row row = current(tenantId, mesh, now);
        List<Root> roots = new ArrayList<>();
        roots.add(root(row.certificate(), "signing"));
        if (row.nextCertificate() != null) roots.add(root(row.nextCertificate(), "next"));
        if (row.retiredCertificate() != null) roots.add(root(row.retiredCertificate(), "retired"));
        Rotation rotation = row.startedAt() == null ? null : new Rotation(row.startedAt(), row.startedAt().plus(row.overlap()),
                row.startedAt().plus(row.overlap().multipliedBy(2)));
        return new Roots(roots, rotation);
    }

    /**
     * Begins a root rotation: a new root, trusted from now, signing from {@code now + overlap}, the
     * old one trusted until {@code now + 2 × overlap}.
     *
     * @throws RotationInProgress when a rotation of this mesh has not completed yet
     */
    public Roots rotate(String tenantId, String mesh, Duration overlap, Instant now) {
        Row row = current(tenantId, mesh, now);
        if (row.startedAt() != null) throw new RotationInProgress(mesh, row.startedAt().plus(row.overlap().multipliedBy(2)));
        MeshAuthority next = MeshAuthority.create(tenantId, mesh, now);
        int updated = jdbc.sql("""
                        UPDATE mesh_authorities SET next_certificate = ?, next_sealed_key = ?, rotation_started_at = ?,
                            rotation_overlap = make_interval(secs => ?)
                        WHERE tenant_id = ? AND mesh = ? AND rotation_started_at IS NULL AND sealed_with = ?""")
                .params(Pem.of(next.certificate()), masterKey.seal(next.key().getEncoded(), boundTo(tenantId, mesh)),
                        Timestamp.from(now), overlap.toSeconds(), tenantId, mesh, masterKey.id())
                .update();
        if (updated == 0) throw new RotationInProgress(mesh, now.plus(overlap.multipliedBy(2)));
        return roots(tenantId, mesh, now);
    }

    /** Seals this tenant's authorities that another master key sealed with the current one; answers how many. */
    int reseal(String tenantId, Instant now) {
        List<String> meshes = jdbc.sql("SELECT mesh FROM mesh_authorities WHERE tenant_id = ? AND sealed_with IS DISTINCT FROM ?")
                .params(tenantId, masterKey.id()).query(String.class).list();
        meshes.forEach(mesh -> current(tenantId, mesh, now));
        return meshes.size();
    }

    /** The stored row, created if missing, with the rotation phases the clock has reached and sealed with the current key. */
    private Row current(String tenantId, String mesh, Instant now) {
        Row row = find(tenantId, mesh).orElseGet(() -> {
            MeshAuthority created = MeshAuthority.create(tenantId, mesh, now);
            // Two registrations may race to create it: the first insert wins and both use the stored one.
            jdbc.sql("""
                            INSERT INTO mesh_authorities (tenant_id, mesh, certificate, sealed_key, sealed_with, created_at)
                            VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")
                    .params(tenantId, mesh, created.trustBundle(),
                            masterKey.seal(created.key().getEncoded(), boundTo(tenantId, mesh)), masterKey.id(), Timestamp.from(now))
                    .update();
            return find(tenantId, mesh).orElseThrow();
        });
        // Each step's condition makes it happen once when replicas race.
        if (row.nextCertificate() != null && !now.isBefore(row.startedAt().plus(row.overlap()))) {
            jdbc.sql("""
                            UPDATE mesh_authorities SET retired_certificate = certificate, certificate = next_certificate,
                                sealed_key = next_sealed_key, next_certificate = NULL, next_sealed_key = NULL
                            WHERE tenant_id = ? AND mesh = ? AND next_certificate IS NOT NULL""")
                    .params(tenantId, mesh).update();
            row = find(tenantId, mesh).orElseThrow();
        }
        if (row.retiredCertificate() != null && !now.isBefore(row.startedAt().plus(row.overlap().multipliedBy(2)))) {
            jdbc.sql("""
                            UPDATE mesh_authorities SET retired_certificate = NULL, rotation_started_at = NULL, rotation_overlap = NULL
                            WHERE tenant_id = ? AND mesh = ? AND retired_certificate IS NOT NULL""")
                    .params(tenantId, mesh).update();
            row = find(tenantId, mesh).orElseThrow();
        }
        if (!masterKey.id().equals(row.sealedWith())) {
            String boundTo = boundTo(tenantId, mesh);
            jdbc.sql("""
                            UPDATE mesh_authorities SET sealed_key = ?, next_sealed_key = ?, sealed_with = ?
                            WHERE tenant_id = ? AND mesh = ? AND sealed_with IS NOT DISTINCT FROM ?""")
                    .params(masterKey.seal(masterKey.open(row.sealedKey(), boundTo), boundTo),
                            row.nextSealedKey() == null ? null : masterKey.seal(masterKey.open(row.nextSealedKey(), boundTo), boundTo),
                            masterKey.id(), tenantId, mesh, row.sealedWith())
                    .update();
            row = find(tenantId, mesh).orElseThrow();
        }
        return row;
    }

    private record Row(String certificate, byte[] sealedKey, String sealedWith, String nextCertificate, byte[] nextSealedKey,
                       String retiredCertificate, Instant startedAt, Duration overlap) {
        static Row read(ResultSet rs, int n) throws SQLException {
            Timestamp started = rs.getTimestamp(7);
            long seconds = rs.getLong(8);
            Duration overlap = rs.wasNull() ? null : Duration.ofSeconds(seconds);
            return new Row(rs.getString(1), rs.getBytes(2), rs.getString(3), rs.getString(4), rs.getBytes(5), rs.getString(6),
                    started == null ? null : started.toInstant(), overlap);
        }
    }

    private Optional<Row> find(String tenantId, String mesh) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM mesh_authorities WHERE tenant_id = ? AND mesh = ?")
                .params(tenantId, mesh)
                .query(Row::read)
                .optional();
    }

    private MeshAuthority authority(Row row, String boundTo) {
        try {
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(masterKey.open(row.sealedKey(), boundTo)));
            List<X509Certificate> others = new ArrayList<>();
            if (row.nextCertificate() != null) others.add(certificate(row.nextCertificate()));
            if (row.retiredCertificate() != null) others.add(certificate(row.retiredCertificate()));
            return new MeshAuthority(certificate(row.certificate()), key, others);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the stored authority of a mesh cannot be read", e);
        }
    }

    private static Root root(String pem, String role) {
        X509Certificate certificate = certificate(pem);
        try {
            return new Root(MeshAuthority.fingerprint(certificate), role, certificate.getNotAfter().toInstant());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate certificate(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            return new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) parser.readObject());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("the stored root of a mesh cannot be read", e);
        }
    }

    private static String boundTo(String tenantId, String mesh) {
        return "mesh-authority:" + tenantId + "/" + mesh;
    }
}
