package dev.trellis.proxy.fleet;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

import dev.trellis.proxy.tls.TlsFiles;
import tools.jackson.databind.JsonNode;

/**
 * This proxy's identity in {@code TRELLIS_DATA_DIR}: the key it made, the certificate chain and trust
 * bundle the mesh's authority gave it (where the mTLS listeners read them, see {@link TlsFiles}), and
 * the proxy token bound to that certificate. Registration happens once; a restart reuses the files.
 */
final class FleetIdentity {
    private final TlsFiles files;
    private final Path tokenFile;

    FleetIdentity(Path dataDir) {
        this.files = TlsFiles.in(dataDir);
        this.tokenFile = dataDir.resolve("proxy-token");
    }

    boolean present() {
        return files.present() && Files.isReadable(tokenFile);
    }

    String token() throws IOException {
        return Files.readString(tokenFile).strip();
    }

    /** Two thirds into the certificate's life, when a new one is asked for. */
    Instant renewAt() throws IOException {
        X509Certificate leaf = leaf();
        Instant from = leaf.getNotBefore().toInstant();
        Duration life = Duration.between(from, leaf.getNotAfter().toInstant());
        return from.plus(life.multipliedBy(2).dividedBy(3));
    }

    Instant notAfter() throws IOException {
        return leaf().getNotAfter().toInstant();
    }

    /** Stores what a registration answered, with the key the CSR was made from. */
    void registered(KeyMaterial key, JsonNode answer) throws IOException {
        store(key, answer);
        write(tokenFile, answer.get("token").asString() + "\n");
    }

    /** Stores a renewed certificate and the new key it certifies; the proxy token stays. */
    void renewed(KeyMaterial key, JsonNode answer) throws IOException {
        store(key, answer);
    }

    private void store(KeyMaterial key, JsonNode answer) throws IOException {
        write(files.trustBundle(), answer.get("trustBundle").asString());
        write(files.key(), key.privateKeyPem());
        write(files.certificate(), answer.get("certificateChain").asString());
    }

    private X509Certificate leaf() throws IOException {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(files.certificate())));
        } catch (CertificateException e) {
            throw new IOException("cannot read " + files.certificate(), e);
        }
    }

    /** Through a temporary file and a rename, readable by the owner only: a crash never leaves half a key. */
    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Non-POSIX file systems keep their default permissions.
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
