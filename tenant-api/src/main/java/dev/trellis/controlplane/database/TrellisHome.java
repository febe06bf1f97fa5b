package dev.trellis.controlplane.database;

import org.springframework.core.env.Environment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The control plane's local state directory ({@code TRELLIS_HOME}, default {@code ~/.trellis}):
 * the embedded PostgreSQL's data and generated secrets.
 */
public record TrellisHome(Path root) {

    public static TrellisHome from(Environment environment) {
        String configured = environment.getProperty("trellis.home");
        Path root = configured == null || configured.isBlank()
                ? Path.of(System.getProperty("user.home"), ".trellis")
                : Path.of(configured);
        return new TrellisHome(root.toAbsolutePath());
    }

    public Path resolve(String name) {
        return root.resolve(name);
    }

    /** Reads a secret file, creating it with 32 random bytes (base64url) on first use, readable by the owner only. */
    public String secret(String name) {
        Path file = resolve(name);
        try {
            if (Files.exists(file)) return Files.readString(file).strip();
            Files.createDirectories(root);
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            Files.writeString(file, value + "\n");
            restrictToOwner(file);
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    /** Writes a secret file (replacing it), readable by the owner only. */
    public void writeSecret(String name, String value) {
        Path file = resolve(name);
        try {
            Files.createDirectories(root);
            Files.writeString(file, value + "\n");
            restrictToOwner(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void restrictToOwner(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Non-POSIX file systems keep their default permissions.
        }
    }
}
